import { randomBytes } from 'node:crypto';
import { RedisBus } from '../../src/bus/redis-bus.js';
import { requiredService } from '../support/required-service.js';
import { createScratchPostgres, dropScratchPostgres, type ScratchPostgres } from '../support/scratch-postgres.js';
import type { CliTarget } from './room-lifecycle.js';

/**
 * A scratch PostgreSQL database and a Redis prefix of its own, as a deployment of several nodes
 * has them; `undefined` (skipped loudly, or failing under REQUIRE_SERVICES=1) without
 * TEST_DATABASE_URL and TEST_REDIS_URL.
 */
export function postgresTarget(): CliTarget | undefined {
  const adminUrl = requiredService('TEST_DATABASE_URL', 'PostgreSQL');
  const redisUrl = requiredService('TEST_REDIS_URL', 'Redis');
  if (!adminUrl || !redisUrl) return undefined;
  // Other runs sharing the Redis are not heard, nor hear this one.
  const keyPrefix = `cli-test-${randomBytes(4).toString('hex')}:`;
  let database: ScratchPostgres | undefined;
  return {
    name: 'postgres',
    // Fewer than on SQLite to keep the suite short; the same 10,000 take about 4 s here too (docs/cli.md).
    rooms: 2_000,
    async setup() {
      database = await createScratchPostgres(adminUrl, 'switchboard_cli');
    },
    async teardown() {
      if (database) await dropScratchPostgres(adminUrl, database.name);
    },
    env: () => ({ DATABASE_URL: database!.url, JWT_SECRET: 'cli-test-secret-that-is-at-least-32-chars', REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix }),
    // What a serving node on the same Redis would hear from the command.
    async listen(topics) {
      const bus = new RedisBus({ url: redisUrl, keyPrefix });
      const heard: { topic: string; type: string }[] = [];
      for (const topic of topics) bus.subscribe(topic, (event) => heard.push({ topic, type: event.type }));
      await bus.ready();
      return { heard: () => heard, stop: () => bus.close() };
    },
  };
}
