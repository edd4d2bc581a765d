import type { Redis } from 'ioredis';
import { MemoryPresence, type PresenceTracker } from '../../src/realtime/presence.js';
import { RedisPresence, type RedisPresenceOptions } from '../../src/realtime/redis-presence.js';
import { deleteKeys, openAdmin, testKeyPrefix } from '../bus/redis-test-kit.js';

/** One test's nodes sharing presence; the in-process tracker is a one-node cluster. */
export interface PresenceCluster {
  /** The i-th node. The in-process tracker answers the same tracker for every i. */
  node(index: number): PresenceTracker;
  /** Present when presence lives in Redis: what the Redis-only tests use. */
  readonly redis?: RedisPresenceView;
  close(): Promise<void>;
}

export interface RedisPresenceView {
  readonly admin: Redis;
  /** This test's own namespace. */
  readonly keyPrefix: string;
  /** Opens another node (with options of its own) on this test's namespace. */
  open(options?: Partial<RedisPresenceOptions>): Promise<RedisPresence>;
}

export interface PresenceTarget {
  readonly name: string;
  /** Several nodes share the state, so "across nodes" cases run too. */
  readonly multiNode: boolean;
  open(): Promise<PresenceCluster>;
  cleanup(): Promise<void>;
}

export function memoryPresenceTarget(): PresenceTarget {
  return {
    name: 'MemoryPresence',
    multiNode: false,
    async open() {
      const tracker = new MemoryPresence();
      return { node: () => tracker, close: () => tracker.close() };
    },
    async cleanup() {},
  };
}

export function redisPresenceTarget(url: string): PresenceTarget {
  const runPrefix = testKeyPrefix();
  let admin: Redis | undefined;
  let tests = 0;
  return {
    name: 'RedisPresence',
    multiNode: true,
    async open() {
      admin ??= await openAdmin(url);
      // A namespace per test: one test's users and dead nodes never leak into the next.
      const keyPrefix = `${runPrefix}${++tests}:`;
      const opened: RedisPresence[] = [];
      const open = async (options: Partial<RedisPresenceOptions> = {}) => {
        const presence = new RedisPresence({ url, keyPrefix, ...options });
        opened.push(presence);
        await presence.ready();
        return presence;
      };
      const nodes = [await open(), await open()];
      return {
        node: (index) => nodes[index]!,
        redis: { admin, keyPrefix, open },
        async close() {
          await Promise.all(opened.map((p) => p.close()));
        },
      };
    },
    async cleanup() {
      if (!admin) return;
      await deleteKeys(admin, runPrefix);
      await admin.quit();
    },
  };
}
