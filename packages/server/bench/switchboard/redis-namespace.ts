import { Redis } from 'ioredis';

/**
 * The Redis keys of one bench run: its nodes get `REDIS_KEY_PREFIX=<prefix>` so presence and
 * rate-limit state never mix with anyone else's, and everything under the prefix is deleted when
 * the run ends.
 */
export class RedisNamespace {
  constructor(
    readonly url: string,
    readonly prefix: string,
  ) {}

  /** Deletes every key under the prefix; returns how many. */
  async drop(): Promise<number> {
    const redis = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000 });
    try {
      await redis.connect();
      let deleted = 0;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) deleted += await redis.del(...keys);
      } while (cursor !== '0');
      return deleted;
    } finally {
      redis.disconnect();
    }
  }
}
