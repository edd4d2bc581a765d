import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RedisBus } from '../../src/bus/redis-bus.js';
import { requiredService } from '../support/required-service.js';
import { buildEvent, memoryBusTarget, Recorder, redisBusTarget, type BusCluster, type BusTarget } from './bus-targets.js';
import { clientNames, killClients, RedisRelay, subscriberCount } from './redis-test-kit.js';

const redisUrl = requiredService('TEST_REDIS_URL', 'Redis');
const targets: BusTarget[] = [memoryBusTarget(), ...(redisUrl ? [redisBusTarget(redisUrl)] : [])];
const waitLong = { timeout: 5000, interval: 20 };

/** Where the publisher and the subscribers of a case live. */
interface Topology {
  readonly name: string;
  readonly publisher: number;
  readonly subscriber: number;
}

const ONE_NODE: Topology = { name: 'on one node', publisher: 0, subscriber: 0 };
const TWO_NODES: Topology = { name: 'across two nodes', publisher: 0, subscriber: 1 };

/**
 * Waits until everything `from` published so far has reached node `to`: a probe event published
 * after them travels behind them (one publisher's events keep their order), so once it arrived
 * a missing event will not arrive either.
 */
async function flush(cluster: BusCluster, from: number, to: number): Promise<void> {
  const probe = new Recorder();
  const topic = `probe:${randomUUID()}`;
  const stopProbe = cluster.node(to).subscribe(topic, probe.handler);
  await cluster.settle(to);
  await cluster.node(from).publish(topic, buildEvent('probe'));
  await vi.waitFor(() => expect(probe.marks).toEqual(['probe']), waitLong);
  stopProbe();
}

describe.each(targets)('Bus contract: $name', (target) => {
  let cluster: BusCluster;

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

  describe.each(topologies)('publisher and subscribers $name', ({ publisher, subscriber }) => {
    it('delivers an event to the subscribers of its topic only', async () => {
      const [wanted, other] = [new Recorder(), new Recorder()];
      cluster.node(subscriber).subscribe('conversation:a', wanted.handler);
      cluster.node(subscriber).subscribe('conversation:b', other.handler);
      await cluster.settle(subscriber);

      await cluster.node(publisher).publish('conversation:a', buildEvent('e1'));
      await flush(cluster, publisher, subscriber);

      expect(wanted.marks).toEqual(['e1']);
      expect(other.marks).toEqual([]);
    });

    it('delivers once to each of several handlers on one topic', async () => {
      const handlers = [new Recorder(), new Recorder(), new Recorder()];
      for (const h of handlers) cluster.node(subscriber).subscribe('conversation:a', h.handler);
      await cluster.settle(subscriber);

      await cluster.node(publisher).publish('conversation:a', buildEvent('e1'));
      await flush(cluster, publisher, subscriber);

      for (const h of handlers) expect(h.marks).toEqual(['e1']);
    });

    it('stops delivering to a handler once it unsubscribes, and keeps delivering to the others', async () => {
      const [leaving, staying] = [new Recorder(), new Recorder()];
      const unsubscribe = cluster.node(subscriber).subscribe('conversation:a', leaving.handler);
      cluster.node(subscriber).subscribe('conversation:a', staying.handler);
      await cluster.settle(subscriber);
      await cluster.node(publisher).publish('conversation:a', buildEvent('before'));
      await flush(cluster, publisher, subscriber);

      unsubscribe();
      unsubscribe(); // a second call is harmless
      await cluster.node(publisher).publish('conversation:a', buildEvent('after'));
      await flush(cluster, publisher, subscriber);

      expect(leaving.marks).toEqual(['before']);
      expect(staying.marks).toEqual(['before', 'after']);
    });

    it('stops delivering a topic once its last handler unsubscribes', async () => {
      const handler = new Recorder();
      const unsubscribe = cluster.node(subscriber).subscribe('conversation:a', handler.handler);
      await cluster.settle(subscriber);
      unsubscribe();
      await cluster.settle(subscriber);

      await cluster.node(publisher).publish('conversation:a', buildEvent('e1'));
      await flush(cluster, publisher, subscriber);

      expect(handler.marks).toEqual([]);
    });

    it('keeps the order of one publisher’s events on one topic', async () => {
      const handler = new Recorder();
      cluster.node(subscriber).subscribe('conversation:a', handler.handler);
      await cluster.settle(subscriber);
      const marks = Array.from({ length: 50 }, (_, i) => `e${i}`);

      await Promise.all(marks.map((mark) => cluster.node(publisher).publish('conversation:a', buildEvent(mark))));

      await vi.waitFor(() => expect(handler.marks).toHaveLength(50), waitLong);
      expect(handler.marks).toEqual(marks);
    });

    it('delivers to the other handlers when one of them throws', async () => {
      const handler = new Recorder();
      cluster.node(subscriber).subscribe('conversation:a', () => {
        throw new Error('faulty subscriber');
      });
      cluster.node(subscriber).subscribe('conversation:a', handler.handler);
      await cluster.settle(subscriber);

      await cluster.node(publisher).publish('conversation:a', buildEvent('e1'));

      await vi.waitFor(() => expect(handler.marks).toEqual(['e1']), waitLong);
    });
  });

  it('resolves a publish that nobody listens to', async () => {
    await expect(cluster.node(0).publish('conversation:nobody', buildEvent('e1'))).resolves.toBeUndefined();
  });

  it('delivers nothing after close', async () => {
    const handler = new Recorder();
    cluster.node(0).subscribe('conversation:a', handler.handler);
    await cluster.close();

    await cluster.node(0).publish('conversation:a', buildEvent('e1'));

    expect(handler.marks).toEqual([]);
  });
});

describe.runIf(redisUrl)('RedisBus', () => {
  const target = redisBusTarget(redisUrl ?? '');
  let cluster: BusCluster;
  let redis: NonNullable<BusCluster['redis']>;

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

  const numsub = (topic: string) => subscriberCount(redis.admin, redis.node(0).channelFor(topic));

  it('subscribes to a topic’s channel only while a local handler wants the topic', async () => {
    const bus = redis.node(0);
    await bus.ready();
    expect(await numsub('conversation:a')).toBe(0);

    const first = bus.subscribe('conversation:a', () => {});
    const second = bus.subscribe('conversation:a', () => {});
    await bus.settled();
    expect(await numsub('conversation:a')).toBe(1); // one channel per node, however many handlers

    first();
    await bus.settled();
    expect(await numsub('conversation:a')).toBe(1);

    second();
    await bus.settled();
    expect(await numsub('conversation:a')).toBe(0);
  });

  it('delivers an event published on one node exactly once to handlers on every node, the publisher’s included', async () => {
    const [onA, onB] = [new Recorder(), new Recorder()];
    redis.node(0).subscribe('conversation:a', onA.handler);
    redis.node(1).subscribe('conversation:a', onB.handler);
    await Promise.all([cluster.settle(0), cluster.settle(1)]);

    await redis.node(0).publish('conversation:a', buildEvent('e1'));
    await vi.waitFor(() => expect(onB.marks).toEqual(['e1']), waitLong);
    // B's marker leaves Redis after e1 reached both subscriber connections, so a duplicate of
    // e1 on A (its own envelope coming back) would arrive before it.
    await redis.node(1).publish('conversation:a', buildEvent('marker'));
    await vi.waitFor(() => expect(onA.marks).toContain('marker'), waitLong);

    expect(onA.marks).toEqual(['e1', 'marker']);
    expect(onB.marks).toEqual(['e1', 'marker']);
  });

  it('keeps deployments with different key prefixes apart', async () => {
    const stranger = new RedisBus({ url: redisUrl!, keyPrefix: `${redis.keyPrefix}other:` });
    try {
      const handler = new Recorder();
      stranger.subscribe('conversation:a', handler.handler);
      await stranger.ready();
      await stranger.settled();
      const mine = new Recorder();
      redis.node(1).subscribe('conversation:a', mine.handler);
      await cluster.settle(1);

      await redis.node(0).publish('conversation:a', buildEvent('e1'));
      await vi.waitFor(() => expect(mine.marks).toEqual(['e1']), waitLong);

      expect(handler.marks).toEqual([]);
    } finally {
      await stranger.close();
    }
  });

  it('subscribes again and delivers after Redis drops its connections', async () => {
    const [onA, onB] = [new Recorder(), new Recorder()];
    redis.node(0).subscribe('conversation:a', onA.handler);
    redis.node(1).subscribe('conversation:b', onB.handler);
    await Promise.all([cluster.settle(0), cluster.settle(1)]);

    expect(await killClients(redis.admin, redis.node(0).nodeId)).toBe(2);

    // Events published while A is away may be lost; keep publishing until A hears one again.
    let sent = 0;
    await vi.waitFor(async () => {
      await redis.node(1).publish('conversation:a', buildEvent(`retry${sent++}`));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(onA.events.length).toBeGreaterThan(0);
    }, { timeout: 10_000, interval: 100 });
    expect(await numsub('conversation:a')).toBe(1);
    // And A's publisher is back too.
    await vi.waitFor(async () => {
      await redis.node(0).publish('conversation:b', buildEvent('from A'));
      expect(onB.marks).toContain('from A');
    }, { timeout: 10_000, interval: 100 });
  });

  it('after a long outage, subscribes to the topics it was asked for while Redis was away', async () => {
    const relay = await RedisRelay.start(redisUrl!);
    const errors: Error[] = [];
    const bus = new RedisBus({ url: relay.url, keyPrefix: redis.keyPrefix, reconnectBaseMs: 5, reconnectMaxMs: 40, onError: (e) => errors.push(e) });
    try {
      const [before, during] = [new Recorder(), new Recorder()];
      bus.subscribe('conversation:before', before.handler);
      await bus.ready();
      await bus.settled();

      await relay.stop();
      await expect(bus.publish('conversation:before', buildEvent('lost'))).resolves.toBeUndefined();
      bus.subscribe('conversation:during', during.handler);
      // Long enough for ioredis to give up on the queued SUBSCRIBE (maxRetriesPerRequest).
      await vi.waitFor(() => expect(errors.map((e) => e.message)).toContainEqual(expect.stringContaining('could not subscribe to "conversation:during"')), { timeout: 10_000, interval: 50 });
      await relay.resume();
      await bus.ready();
      await bus.settled();
      await cluster.settle(1);

      await redis.node(1).publish('conversation:before', buildEvent('b1'));
      await redis.node(1).publish('conversation:during', buildEvent('d1'));
      await vi.waitFor(() => expect([...before.marks, ...during.marks]).toEqual(['lost', 'b1', 'd1']), waitLong);
    } finally {
      await bus.close();
      await relay.stop();
    }
  });

  it('holds publishes made before its first connection until it is connected', async () => {
    const handler = new Recorder();
    redis.node(1).subscribe('conversation:a', handler.handler);
    await cluster.settle(1);

    await redis.node(0).publish('conversation:a', buildEvent('at boot'));

    await vi.waitFor(() => expect(handler.marks).toEqual(['at boot']), waitLong);
  });

  it('resolves publishes and serves local handlers while Redis is unreachable, and reports the loss', async () => {
    const errors: Error[] = [];
    const offline = new RedisBus({ url: 'redis://127.0.0.1:1', onError: (e) => errors.push(e), reconnectMaxMs: 100 });
    try {
      const handler = new Recorder();
      offline.subscribe('conversation:a', handler.handler);

      await expect(offline.publish('conversation:a', buildEvent('e1'))).resolves.toBeUndefined();

      expect(handler.marks).toEqual(['e1']);
      expect(errors.map((e) => e.message)).toContainEqual(expect.stringContaining('did not reach the other nodes'));
    } finally {
      await offline.close();
    }
  });

  it('drops and reports a payload on its channels that is not an envelope', async () => {
    const handler = new Recorder();
    redis.node(0).subscribe('conversation:a', handler.handler);
    await cluster.settle(0);

    await redis.admin.publish(redis.node(0).channelFor('conversation:a'), 'not json');
    await redis.admin.publish(redis.node(0).channelFor('conversation:a'), JSON.stringify({ type: 'other', node: 'x' }));

    await vi.waitFor(() => expect(redis.errors(0).filter((e) => e.message.includes('undecodable'))).toHaveLength(2), waitLong);
    expect(handler.marks).toEqual([]);
  });

  it('closes both of its connections', async () => {
    const bus = redis.node(0);
    await bus.ready();
    const named = async () => (await clientNames(redis.admin)).filter((name) => name.includes(bus.nodeId));
    expect(await named()).toHaveLength(2);

    await bus.close();

    await vi.waitFor(async () => expect(await named()).toEqual([]), waitLong);
  });
});
