import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, whenReady } from '../../src/bus/redis-client.js';
import { createRedisSendLimiter } from '../../src/limits/redis-send-limiter.js';
import { SendRateLimit } from '../../src/limits/send-rate-limit.js';
import { deleteKeys, openAdmin, testKeyPrefix } from '../bus/redis-test-kit.js';
import { requiredService } from '../support/required-service.js';
import { eventually } from '../support/cluster.js';
import { PartitionRelay } from '../cluster/partition-relay.js';

const redisUrl = requiredService('TEST_REDIS_URL', 'Redis');
const options = { points: 3, windowSeconds: 10 };

describe.runIf(redisUrl)('createRedisSendLimiter', () => {
  const keyPrefix = testKeyPrefix();
  const clients: Redis[] = [];
  let admin: Redis;

  /** One node's limit: its own Redis connection (ready, unless `url` is unreachable), the cluster's shared counters. */
  async function buildNode(url = redisUrl!): Promise<SendRateLimit> {
    const client = createRedisClient({ url, connectionName: 'sbtest-limiter', onError: () => {}, reconnectMaxMs: 50 });
    clients.push(client);
    if (url === redisUrl) await whenReady(client, 5000);
    return new SendRateLimit(options, createRedisSendLimiter(client, { ...options, keyPrefix }));
  }

  beforeAll(async () => {
    admin = await openAdmin(redisUrl!);
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await deleteKeys(admin, keyPrefix);
    await admin.quit();
  });

  it('lets two nodes together allow exactly `points` sends per window for one user', async () => {
    const [a, b] = [await buildNode(), await buildNode()];
    const outcomes: string[] = [];

    for (const node of [a, b, a, b, a]) {
      outcomes.push(await node.consume('u1').then(() => 'sent', (error: { code?: string }) => error.code ?? 'other'));
    }

    expect(outcomes).toEqual(['sent', 'sent', 'sent', 'rate_limited', 'rate_limited']);
    expect(await admin.get(`${keyPrefix}send:u1`)).toBe('5'); // counted in Redis, not in each node's memory
  });

  it('tells the sender when to retry', async () => {
    const node = await buildNode();
    for (let i = 0; i < options.points; i++) await node.consume('u2');

    const error = await node.consume('u2').catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'rate_limited', details: { retry_after: expect.any(Number) } });
    const retryAfter = (error as { details: { retry_after: number } }).details.retry_after;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(options.windowSeconds);
  });

  it('counts each user on their own', async () => {
    const [a, b] = [await buildNode(), await buildNode()];
    for (let i = 0; i < options.points; i++) await a.consume('u3');

    await expect(b.consume('u4')).resolves.toBeUndefined();
  });

  it('keeps counting in the node’s memory while Redis is unreachable, instead of failing sends', async () => {
    const node = await buildNode('redis://127.0.0.1:1');

    for (let i = 0; i < options.points; i++) await expect(node.consume('u5')).resolves.toBeUndefined();
    await expect(node.consume('u5')).rejects.toMatchObject({ code: 'rate_limited' });
  });

  it('answers within its timeout, counting in memory, while a stalled Redis keeps the connection open and silent', async () => {
    const target = new URL(redisUrl!);
    const relay = await PartitionRelay.start({ host: target.hostname, port: Number(target.port || 6379) });
    const timeoutMs = 300;
    try {
      const client = createRedisClient({ url: relay.urlFor(redisUrl!), connectionName: 'sbtest-limiter-stall', onError: () => {}, commandTimeoutMs: timeoutMs, reconnectMaxMs: 50 });
      clients.push(client);
      await whenReady(client, 5000);
      const node = new SendRateLimit(options, createRedisSendLimiter(client, { ...options, keyPrefix, timeoutMs }));
      await node.consume('u6');
      expect(await admin.get(`${keyPrefix}send:u6`)).toBe('1');

      relay.set('blackhole');
      const outcomes: string[] = [];
      for (let i = 0; i < options.points + 1; i++) {
        const started = Date.now();
        outcomes.push(await node.consume('u6').then(() => 'sent', (error: { code?: string }) => error.code ?? 'other'));
        // The bound under test: the configured timeout, plus a margin for a loaded machine.
        expect(Date.now() - started).toBeLessThan(timeoutMs + 1500);
      }
      // Counted in this node's memory from zero: the limit loosens to per node, sends go on.
      expect(outcomes).toEqual(['sent', 'sent', 'sent', 'rate_limited']);

      relay.set('forward');
      await eventually(async () => (await node.consume('u7').then(() => admin.get(`${keyPrefix}send:u7`))) !== null, 10_000, 'counting in Redis again');
    } finally {
      await relay.close();
    }
  });
});
