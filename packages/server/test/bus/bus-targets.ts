import type { Redis } from 'ioredis';
import type { Bus } from '../../src/bus/bus.js';
import type { DomainEvent } from '../../src/bus/domain-event.js';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { RedisBus } from '../../src/bus/redis-bus.js';
import { deleteKeys, openAdmin, testKeyPrefix } from './redis-test-kit.js';

/** One test's cluster of bus nodes sharing a broker; an in-process bus is a one-node cluster. */
export interface BusCluster {
  /** The i-th node. An in-process bus answers the same bus for every i. */
  node(index: number): Bus;
  /** Resolves once the node's subscriptions are in effect at the broker. */
  settle(index: number): Promise<void>;
  /** Present when the nodes talk through Redis: what the Redis-only tests inspect. */
  readonly redis?: RedisView;
  close(): Promise<void>;
}

export interface RedisView {
  readonly admin: Redis;
  /** The namespace the nodes share, for a test that opens a node of its own. */
  readonly keyPrefix: string;
  readonly node: (index: number) => RedisBus;
  /** Errors each node reported through `onError`, by node index. */
  readonly errors: (index: number) => readonly Error[];
}

export interface BusTarget {
  readonly name: string;
  /** Several nodes share one broker, so "across nodes" cases run too. */
  readonly multiNode: boolean;
  open(): Promise<BusCluster>;
  /** Once, after every test of the target. */
  cleanup(): Promise<void>;
}

export function memoryBusTarget(): BusTarget {
  return {
    name: 'MemoryBus',
    multiNode: false,
    async open() {
      const bus = new MemoryBus();
      return { node: () => bus, settle: async () => {}, close: () => bus.close() };
    },
    async cleanup() {},
  };
}

export function redisBusTarget(url: string): BusTarget {
  const keyPrefix = testKeyPrefix();
  let admin: Redis | undefined;
  return {
    name: 'RedisBus',
    multiNode: true,
    async open() {
      admin ??= await openAdmin(url);
      const nodes: RedisBus[] = [];
      const errors: Error[][] = [];
      const node = (index: number): RedisBus => {
        while (nodes.length <= index) {
          const reported: Error[] = [];
          errors.push(reported);
          nodes.push(new RedisBus({ url, keyPrefix, reconnectMaxMs: 200, onError: (e) => reported.push(e) }));
        }
        return nodes[index]!;
      };
      const view: RedisView = { admin, keyPrefix, node, errors: (index) => errors[index] ?? [] };
      return {
        node,
        redis: view,
        async settle(index) {
          await node(index).ready();
          await node(index).settled();
        },
        async close() {
          await Promise.all(nodes.map((bus) => bus.close()));
        },
      };
    },
    async cleanup() {
      if (!admin) return;
      await deleteKeys(admin, keyPrefix);
      await admin.quit();
    },
  };
}

/** What each handler heard, in order. */
export class Recorder {
  readonly events: DomainEvent[] = [];
  readonly handler = (event: DomainEvent) => {
    this.events.push(event);
  };

  /** The marks of the typing events heard (each test event is tagged by its user id). */
  get marks(): string[] {
    return this.events.map((e) => (e.type === 'typing' ? e.userId : e.type));
  }
}

/** A small event whose `userId` tags it, so tests can tell events apart and check their order. */
export function buildEvent(mark: string): DomainEvent {
  return { type: 'typing', conversationId: 'c1', userId: mark, userName: mark, isTyping: true };
}
