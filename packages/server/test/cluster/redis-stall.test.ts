import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, clusterServices, eventually } from '../support/cluster.js';
import { PartitionRelay } from './partition-relay.js';
import { boundedCalls, openStallScene } from './stall-scene.js';
import { SyncingReader } from './syncing-reader.js';

type Frame = Record<string, any>;

const services = clusterServices();
/** Short, so the stall is noticed within the test's time; what is tested is that it is bounded. */
const COMMAND_TIMEOUT_MS = 500;
/**
 * The bound on one acknowledgement while Redis stalls: the send's limiter count and its publish
 * may each wait out the command timeout once before their connections read as down; the rest
 * is margin for a loaded 2-core machine.
 */
const ACK_BOUND_MS = COMMAND_TIMEOUT_MS * 3 + 2500;

/**
 * Node 0 reaches Redis directly; node 1 through a relay that the test turns into a partition:
 * node 1's Redis connections stay open and nothing comes back on them. The machine's Redis keeps
 * serving everyone else.
 */
describe.skipIf(!services)('a node whose Redis stalls', () => {
  let relay: PartitionRelay;
  let cluster: Cluster;
  beforeAll(async () => {
    const target = new URL(services!.redisUrl);
    relay = await PartitionRelay.start({ host: target.hostname, port: Number(target.port || 6379) });
    cluster = await Cluster.start(services!, { nodes: 1, env: { SEND_RATE_POINTS: '100000' } });
    await cluster.startNode({ REDIS_URL: relay.urlFor(services!.redisUrl), REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) });
  });
  afterEach(() => {
    relay?.set('forward');
    cluster?.closeClients();
  });
  afterAll(async () => {
    await cluster?.close();
    await relay?.close();
  });

  it('keeps acknowledging sends on every transport within a bound, reports Redis as not ready, and resumes fan-out when the partition heals', async () => {
    const { sender, reader, id, caseId, s, sio } = await openStallScene(cluster);
    expect(await s.request('join_conversation', { conversation_id: id })).toMatchObject({ success: true });
    const r = new SyncingReader(id);
    const readerClient = await cluster.ws(0, reader!);
    await r.attach(readerClient);

    expect(await s.request('send_chat_message', { conversation_id: id, content: 'before' })).toMatchObject({ success: true, seq: 1 });
    await eventually(async () => r.lastSeq === 1, 5000, 'delivered across nodes before the stall');
    expect((await cluster.request(1, 'GET', '/ready')).status).toBe(200);

    relay.set('blackhole');
    const { timed, slowest } = boundedCalls(ACK_BOUND_MS);
    const acknowledged: number[] = [];
    for (let i = 0; i < 20; i++) {
      const reply = await timed(`ws send ${i}`, () => s.request('send_chat_message', { conversation_id: id, content: `during ${i}`, client_id: `during-${i}` }, ACK_BOUND_MS + 1000));
      expect(reply, `send ${i}`).toMatchObject({ success: true });
      acknowledged.push(reply.seq as number);
    }
    const rest = await timed('rest send', () => cluster.request(1, 'POST', `/v1/conversations/${id}/messages`, { token: sender!.token, body: { content: 'rest during', client_id: 'rest-during' } }));
    expect(rest.status).toBe(201);
    expect(await timed('socket.io send', () => sio.request('send_message', { session_id: caseId, content: 'sio during', temp_id: 'sio-during' }))).toMatchObject({ success: true });
    expect(acknowledged).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));

    // Not ready, and says why; the node beside it, on a Redis that answers, is ready.
    const notReady = await timed('/ready', () => cluster.request(1, 'GET', '/ready'));
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({ status: 'not_ready', store: 'ok', redis: 'unavailable', failed: ['redis'], error: { code: 'redis_unavailable' } });
    expect((await cluster.request(0, 'GET', '/ready')).status).toBe(200);
    // A probe that prefers a degraded node to none can say so.
    expect((await cluster.request(1, 'GET', '/ready?ignore=redis')).body).toEqual({ status: 'ready', store: 'ok', redis: 'unavailable' });

    relay.set('forward');
    await eventually(async () => (await cluster.request(1, 'GET', '/ready')).status === 200, 20_000, 'node 1 is ready again');
    // Fan-out from node 1 comes back by itself: probe until a send arrives live on node 0.
    let probes = 0;
    await eventually(
      async () => {
        const { message_id } = await s.request('send_chat_message', { conversation_id: id, content: `probe ${++probes}` });
        await new Promise((resolve) => setTimeout(resolve, 200));
        return readerClient.frames.some((f: Frame) => f.type === 'new_message' && f.message.id === message_id);
      },
      20_000,
      'a message crosses nodes again after the partition',
      0,
    );
    // Every acknowledged send is committed; what the bus lost, the reader has from sync.
    await r.sync();
    const history = await cluster.history(id, reader!);
    expect(r.applied.map((m) => m.id)).toEqual(history.map((m) => m.id));
    expect(history.map((m) => m.content).slice(0, 22)).toEqual(['before', ...Array.from({ length: 20 }, (_, i) => `during ${i}`), 'rest during']);
    console.info(`redis stall: 20 ws + 1 rest + 1 socket.io sends acknowledged during the partition; slowest answer ${slowest.ms} ms (bound ${ACK_BOUND_MS} ms)`);
  });
});
