import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PresenceResync } from '../../src/realtime/redis-presence.js';
import { deleteKeys, RedisRelay } from '../bus/redis-test-kit.js';
import { requiredService } from '../support/required-service.js';
import { memoryPresenceTarget, redisPresenceTarget, type PresenceCluster, type PresenceTarget, type RedisPresenceView } from './presence-targets.js';

const redisUrl = requiredService('TEST_REDIS_URL', 'Redis');
const targets: PresenceTarget[] = [memoryPresenceTarget(), ...(redisUrl ? [redisPresenceTarget(redisUrl)] : [])];

/** Which node a user's first and second connections land on. */
interface Topology {
  readonly name: string;
  readonly first: number;
  readonly second: number;
}

const ONE_NODE: Topology = { name: 'on one node', first: 0, second: 0 };
const TWO_NODES: Topology = { name: 'on two nodes', first: 0, second: 1 };

describe.each(targets)('PresenceTracker contract: $name', (target) => {
  let cluster: PresenceCluster;

  beforeEach(async () => {
    cluster = await target.open();
  });
  afterEach(async () => {
    await cluster.close();
  });
  afterAll(async () => {
    await target.cleanup();
  });

  const topologies = target.multiNode ? [ONE_NODE, TWO_NODES] : [ONE_NODE];

  describe.each(topologies)('connections $name', ({ first, second }) => {
    it('connect resolves true only for the user’s first connection', async () => {
      expect(await cluster.node(first).connect('u1', 'c1')).toBe(true);
      expect(await cluster.node(second).connect('u1', 'c2')).toBe(false);
      expect(await cluster.node(second).connect('u2', 'c3')).toBe(true);
    });

    it('disconnect resolves true only when the user’s last connection closes', async () => {
      await cluster.node(first).connect('u1', 'c1');
      await cluster.node(second).connect('u1', 'c2');

      expect(await cluster.node(first).disconnect('u1', 'c1')).toBe(false);
      expect(await cluster.node(second).disconnect('u1', 'c2')).toBe(true);
    });

    it('counts the user’s connections wherever they are', async () => {
      await cluster.node(first).connect('u1', 'c1');
      await cluster.node(second).connect('u1', 'c2');
      await cluster.node(second).connect('u1', 'c3');

      expect(await cluster.node(first).connectionCount('u1')).toBe(3);
      expect(await cluster.node(second).connectionCount('u1')).toBe(3);
      expect(await cluster.node(first).connectionCount('u2')).toBe(0);
    });

    it('reports online users, offline users with their last-seen time, and never-seen users', async () => {
      await cluster.node(first).connect('u1', 'c1');
      await cluster.node(first).connect('u2', 'c2');
      await cluster.node(first).disconnect('u2', 'c2');

      const [online, offline, unknown] = await cluster.node(second).get(['u1', 'u2', 'u3']);

      expect(online).toMatchObject({ userId: 'u1', status: 'online' });
      expect(Date.parse(online!.lastSeenAt ?? '')).not.toBeNaN();
      expect(offline).toMatchObject({ userId: 'u2', status: 'offline' });
      expect(Date.parse(offline!.lastSeenAt ?? '')).not.toBeNaN();
      expect(unknown).toEqual({ userId: 'u3', status: 'offline', lastSeenAt: null });
    });

    it('brings a user who went offline online again on the next connect', async () => {
      await cluster.node(first).connect('u1', 'c1');
      await cluster.node(first).disconnect('u1', 'c1');

      expect(await cluster.node(second).connect('u1', 'c2')).toBe(true);
    });

    it('makes exactly one of two simultaneous first connections the one that came online', async () => {
      const results = await Promise.all([cluster.node(first).connect('u1', 'c1'), cluster.node(second).connect('u1', 'c2')]);

      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  it('resolves false when disconnecting a connection it never saw', async () => {
    await cluster.node(0).connect('u1', 'c1');

    expect(await cluster.node(0).disconnect('u1', 'unknown')).toBe(false);
    expect(await cluster.node(0).disconnect('u2', 'unknown')).toBe(false);
    expect(await cluster.node(0).connectionCount('u1')).toBe(1);
  });

  it('answers an empty question with an empty answer', async () => {
    expect(await cluster.node(0).get([])).toEqual([]);
  });
});

describe.runIf(redisUrl)('RedisPresence', () => {
  const target = redisPresenceTarget(redisUrl ?? '');
  let cluster: PresenceCluster;
  let redis: RedisPresenceView;

  beforeEach(async () => {
    cluster = await target.open();
    redis = cluster.redis!;
  });
  afterEach(async () => {
    await cluster.close();
  });
  afterAll(async () => {
    await target.cleanup();
  });

  const shortTtl = { ttlMs: 1000, heartbeatMs: 250 };

  it('expires the users of a node that stopped heartbeating, and one sweep reports each of them once', async () => {
    const [dying, survivor, witness] = [await redis.open(shortTtl), await redis.open(shortTtl), await redis.open(shortTtl)];
    await dying.connect('u1', 'c1');
    await dying.connect('u2', 'c2');
    await survivor.connect('u2', 'c3');

    await dying.close(); // from here on, nobody renews its connections
    expect(await survivor.connectionCount('u1')).toBe(1); // still within the TTL

    await vi.waitFor(async () => expect((await survivor.get(['u1']))[0]?.status).toBe('offline'), { timeout: 5000, interval: 100 });
    const swept = (await Promise.all([survivor.sweepExpired(), witness.sweepExpired()])).flat();

    expect(swept).toEqual(['u1']);
    expect(await survivor.sweepExpired()).toEqual([]);
    expect(await witness.connectionCount('u2')).toBe(1);
    expect((await witness.get(['u2']))[0]?.status).toBe('online');
  });

  it('keeps the users of live nodes through a sweep', async () => {
    const [a, b] = [await redis.open(), await redis.open()];
    await a.connect('u1', 'c1');

    expect(await b.sweepExpired()).toEqual([]);
    expect(await b.connectionCount('u1')).toBe(1);
  });

  it('writes its connections again when Redis lost them, and reports who came back online', async () => {
    const changes: PresenceResync[] = [];
    const node = await redis.open({ ...shortTtl, onResync: (change) => changes.push(change) });
    await node.connect('u1', 'c1');

    await deleteKeys(redis.admin, redis.keyPrefix); // what a Redis restart without persistence leaves

    await vi.waitFor(() => expect(changes).toEqual([{ online: ['u1'], offline: [] }]), { timeout: 5000, interval: 50 });
    expect(await cluster.node(0).connectionCount('u1')).toBe(1);
  });

  it('rides out a Redis outage: answers from what it knows, then reports what changed meanwhile', async () => {
    const relay = await RedisRelay.start(redisUrl!);
    const changes: PresenceResync[] = [];
    const errors: Error[] = [];
    const node = await redis.open({ url: relay.url, ttlMs: 5000, heartbeatMs: 200, reconnectBaseMs: 5, reconnectMaxMs: 40, onResync: (c) => changes.push(c), onError: (e) => errors.push(e) });
    try {
      expect(await node.connect('u1', 'c1')).toBe(true);
      await relay.stop();

      expect(await node.connect('u2', 'c2')).toBe(false); // not known yet: announced after the outage
      expect(await node.disconnect('u1', 'c1')).toBe(false);
      expect(await node.connectionCount('u2')).toBe(1); // this node's own count
      await expect(node.get(['u2'])).rejects.toMatchObject({ code: 'store_unavailable' });
      expect(errors.length).toBeGreaterThan(0);

      await relay.resume();
      await vi.waitFor(() => expect(changes).toEqual([{ online: ['u2'], offline: ['u1'] }]), { timeout: 5000, interval: 50 });
      const states = await cluster.node(0).get(['u1', 'u2']);
      expect(states.map((s) => s.status)).toEqual(['offline', 'online']);
    } finally {
      await node.close();
      await relay.stop();
    }
  });

  it('refuses a heartbeat that is not shorter than the TTL', async () => {
    await expect(redis.open({ ttlMs: 1000, heartbeatMs: 1000 })).rejects.toThrow(/heartbeatMs/);
  });
});
