import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, clusterServices, eventually } from '../support/cluster.js';
import { boundedCalls, openStallScene } from './stall-scene.js';
import { PartitionRelay } from './partition-relay.js';

const services = clusterServices();
const STATEMENT_TIMEOUT_MS = 1000;
const CONNECT_TIMEOUT_MS = 1000;
/**
 * The bound on one answer while PostgreSQL stalls: a stalled connection is dropped after the
 * statement timeout plus a second, a new one gives up after the connect timeout; the rest is
 * margin for a loaded 2-core machine.
 */
const ANSWER_BOUND_MS = STATEMENT_TIMEOUT_MS + 1000 + CONNECT_TIMEOUT_MS + 2500;

/**
 * Node 1 reaches PostgreSQL through a relay the test turns into a partition: its pooled
 * connections stay open and nothing comes back on them (unlike postgres-outage.test.ts, whose
 * relay resets them, which pg notices at once). PostgreSQL keeps serving everyone else.
 */
describe.skipIf(!services)('a node whose PostgreSQL stalls', () => {
  let relay: PartitionRelay;
  let cluster: Cluster;
  beforeAll(async () => {
    const target = new URL(services!.databaseUrl);
    relay = await PartitionRelay.start({ host: target.hostname, port: Number(target.port || 5432) });
    cluster = await Cluster.start(services!, { nodes: 1, env: { SEND_RATE_POINTS: '100000' } });
    await cluster.startNode({
      DATABASE_URL: relay.urlFor(cluster.databaseUrl),
      DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    });
  });
  afterEach(() => {
    relay?.set('forward');
    cluster?.closeClients();
  });
  afterAll(async () => {
    await cluster?.close();
    await relay?.close();
  });

  it('answers store_unavailable (retryable) within a bound on REST, the native WebSocket and Socket.IO, reports not ready, and resumes', async () => {
    const { sender, reader, id, caseId, s, sio } = await openStallScene(cluster);
    // Warm node 1's pool, so the partition catches open connections, as in production.
    for (let i = 0; i < 5; i++) expect(await s.request('send_chat_message', { conversation_id: id, content: `before ${i}` })).toMatchObject({ success: true });
    expect((await cluster.request(1, 'GET', '/ready')).status).toBe(200);

    relay.set('blackhole');
    const { timed, slowest } = boundedCalls(ANSWER_BOUND_MS);
    const ws = await timed('ws send', () => s.request('send_chat_message', { conversation_id: id, content: 'ws during', client_id: 'ws-during' }, ANSWER_BOUND_MS + 5000));
    expect(ws).toMatchObject({ success: false, code: 'store_unavailable', retryable: true, event: 'send_chat_message' });
    // The audit's case: ten REST sends at once on the stalled node, each answered.
    const rest = await timed('10 rest sends', () =>
      Promise.all(Array.from({ length: 10 }, (_, i) => cluster.request(1, 'POST', `/v1/conversations/${id}/messages`, { token: sender!.token, body: { content: `rest during ${i}`, client_id: `rest-during-${i}` } }))),
    );
    for (const reply of rest) expect(reply).toMatchObject({ status: 503, body: { error: { code: 'store_unavailable', retryable: true } } });
    expect(await timed('socket.io send', () => sio.request('send_message', { session_id: caseId, content: 'sio during', temp_id: 'sio-during' }))).toMatchObject({ success: false, code: 'store_unavailable' });
    const notReady = await timed('/ready', () => cluster.request(1, 'GET', '/ready'));
    expect(notReady).toMatchObject({ status: 503, body: { status: 'not_ready', store: 'unavailable', failed: ['store'], error: { code: 'store_unavailable' } } });
    // The node beside it is untouched.
    expect((await cluster.request(0, 'GET', '/ready')).status).toBe(200);

    relay.set('forward');
    await eventually(async () => (await cluster.request(1, 'GET', '/ready')).status === 200, 15_000, 'node 1 is ready again');
    // The clients retry with the same client ids: each lands exactly once.
    expect(await s.request('send_chat_message', { conversation_id: id, content: 'ws during', client_id: 'ws-during' })).toMatchObject({ success: true });
    for (let i = 0; i < 10; i++) {
      const retried = await cluster.request(1, 'POST', `/v1/conversations/${id}/messages`, { token: sender!.token, body: { content: `rest during ${i}`, client_id: `rest-during-${i}` } });
      expect([200, 201]).toContain(retried.status);
    }
    expect(await sio.request('send_message', { session_id: caseId, content: 'sio during', temp_id: 'sio-during' })).toMatchObject({ success: true });
    const history = await cluster.history(id, reader!, 0);
    expect(history.map((m) => m.seq)).toEqual(history.map((_, i) => i + 1));
    const ids = history.map((m) => m.client_id).filter((c): c is string => c !== null);
    expect([...ids].sort()).toEqual(['ws-during', ...Array.from({ length: 10 }, (_, i) => `rest-during-${i}`)].sort());
    console.info(`postgres stall: every send answered store_unavailable; slowest answer ${slowest.ms} ms (bound ${ANSWER_BOUND_MS} ms)`);
  });
});
