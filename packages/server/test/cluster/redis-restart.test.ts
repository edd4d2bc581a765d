import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, clusterServices, eventually } from '../support/cluster.js';
import { PrivateRedis, redisServerAvailable } from './private-redis.js';
import { SyncingReader } from './syncing-reader.js';

type Frame = Record<string, any>;

/** This file brings its own Redis (a redis-server binary), so the shared one is never stopped. */
const services = clusterServices();
const binary = services !== undefined && redisServerAvailable();

describe.skipIf(!services || !binary)('a Redis restart under a running cluster', () => {
  let redis: PrivateRedis;
  let cluster: Cluster;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    cluster = await Cluster.start(services!, { nodes: 2, redisUrl: redis.url, env: { SEND_RATE_POINTS: '100000' } });
  });
  afterEach(() => cluster?.closeClients());
  afterAll(async () => {
    await cluster?.close();
    await redis?.close();
  });

  it('keeps accepting messages while Redis is gone; the nodes reconnect by themselves, fan-out and presence resume, and clients heal by sync', async () => {
    const [sender, reader] = await cluster.users(2, ['CONTROL_STAFF']);
    const id = await cluster.conversation([sender!, reader!]);
    const s = await cluster.ws(0, sender!);
    expect(await s.request('join_conversation', { conversation_id: id })).toMatchObject({ success: true });
    const r = new SyncingReader(id);
    const readerClient = await cluster.ws(1, reader!);
    await r.attach(readerClient);
    const send = async (content: string) => {
      const reply = await s.request('send_chat_message', { conversation_id: id, content }, 10_000);
      expect(reply, content).toMatchObject({ success: true });
      return reply;
    };

    await send('before');
    await eventually(async () => r.lastSeq === 1, 5000, 'delivered across nodes before the crash');

    await redis.crash();
    // PostgreSQL is the source of truth: sends still commit and are acknowledged.
    await send('during 1');
    await send('during 2');
    // Degraded, not down: sends go on, and /ready names Redis as what is missing.
    expect((await cluster.request(0, 'GET', '/ready')).body).toMatchObject({ status: 'not_ready', store: 'ok', redis: 'unavailable', failed: ['redis'] });
    expect(r.lastSeq).toBe(1);

    await redis.restart();
    // Nobody restarts the nodes: they reconnect and subscribe again on their own. Probe until a
    // message sent on node 0 arrives live on node 1.
    let probes = 0;
    await eventually(
      async () => {
        const { message_id } = await send(`probe ${++probes}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        return readerClient.frames.some((f: Frame) => f.type === 'new_message' && f.message.id === message_id);
      },
      20_000,
      'a message crosses nodes again after the restart',
      0,
    );

    // From here on fan-out is whole again, both ways.
    const before = readerClient.frames.filter((f: Frame) => f.type === 'new_message').length;
    for (let i = 0; i < 5; i++) await send(`after ${i}`);
    await eventually(async () => readerClient.frames.filter((f: Frame) => f.type === 'new_message').length === before + 5, 5000, 'five messages live after the restart');
    expect(await readerClient.request('send_chat_message', { conversation_id: id, content: 'reply from node 1' })).toMatchObject({ success: true });
    expect(await s.next((f) => f.type === 'new_message' && f.message.content === 'reply from node 1')).toMatchObject({ message: { sender_id: reader!.id } });

    // What the bus lost while Redis was down, the reader has from sync: exactly the committed messages.
    await r.sync();
    const history = await cluster.history(id, reader!);
    expect(r.applied.map((m) => m.id)).toEqual(history.map((m) => m.id));
    expect(history.slice(0, 3).map((m) => m.content)).toEqual(['before', 'during 1', 'during 2']);
    expect(r.duplicatesOnOneConnection).toBe(0);

    // Presence lived in the old Redis: the nodes write their connections again as soon as they
    // reconnect, well before their next 10 s heartbeat.
    const asked = await cluster.ws(0, sender!);
    await eventually(
      async () => (await asked.request('get_presence', { user_ids: [reader!.id] })).presence[0]?.status === 'online',
      4000,
      'the reader on node 1 is online again as node 0 sees it',
      250,
    );
    expect(cluster.nodes.every((node) => node.running)).toBe(true);
  }, 60_000);
});
