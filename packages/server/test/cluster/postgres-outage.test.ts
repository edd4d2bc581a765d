import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, clusterServices, eventually, type ClusterUser } from '../support/cluster.js';
import { TestSioClient } from '../support/sio-client.js';
import { TestWsClient } from '../support/ws-client.js';
import { TcpRelay } from './tcp-relay.js';

type Frame = Record<string, any>;

const services = clusterServices();

/**
 * Node 0 reaches PostgreSQL directly; node 1 through a relay the test cuts. PostgreSQL itself keeps
 * running (other tests use it): only node 1 loses it.
 */
describe.skipIf(!services)('a node that loses PostgreSQL', () => {
  let cluster: Cluster;
  let relay: TcpRelay;
  beforeAll(async () => {
    const target = new URL(services!.databaseUrl);
    relay = await TcpRelay.start({ host: target.hostname, port: Number(target.port || 5432) });
    cluster = await Cluster.start(services!, { nodes: 1, env: { SEND_RATE_POINTS: '1000' } });
    await cluster.startNode({ DATABASE_URL: cluster.databaseUrlVia('127.0.0.1', relay.port), DATABASE_CONNECT_TIMEOUT_MS: '1000' });
  });
  afterEach(() => cluster?.closeClients());
  afterAll(async () => {
    await cluster?.close();
    await relay?.close();
  });

  const ready = async (node: number) => (await cluster.request(node, 'GET', '/ready')).status;
  const isNew = (id: string) => (f: Frame) => f.type === 'new_message' && f.conversation_id === id;

  interface Setup {
    readonly sender: ClusterUser;
    readonly reader: ClusterUser;
    readonly customer: ClusterUser;
    readonly id: string;
    readonly caseId: string;
    /** The sender on node 1, the reader on node 0, the customer over Socket.IO on node 1. */
    readonly s: TestWsClient;
    readonly r: TestWsClient;
    readonly sio: TestSioClient;
  }

  async function setup(): Promise<Setup> {
    const [sender, reader] = await cluster.users(2, ['CONTROL_STAFF']);
    const customer = await cluster.user(['customer']);
    const id = await cluster.conversation([sender!, reader!]);
    const opened = await cluster.request(0, 'POST', '/v1/support/cases', { token: customer.token, body: { subject: 'Refund', content: 'I want a refund' } });
    const caseId = opened.body.case.conversation_id as string;
    const s = await cluster.ws(1, sender!);
    const r = await cluster.ws(0, reader!);
    for (const c of [s, r]) expect(await c.request('join_conversation', { conversation_id: id })).toMatchObject({ success: true });
    const sio = await cluster.sio(1, customer);
    sio.emit('join_session', { session_id: caseId });
    await sio.next('session_joined');
    return { sender: sender!, reader: reader!, customer, id, caseId, s, r, sio };
  }

  it('answers store_unavailable on every transport, reports not ready, writes nothing, and resumes by itself', async () => {
    const { sender, reader, customer, id, caseId, s, r, sio } = await setup();
    expect(await s.request('send_chat_message', { conversation_id: id, content: 'before' })).toMatchObject({ success: true, seq: 1 });
    await r.next(isNew(id));
    expect(await ready(1)).toBe(200);

    // A partition under load: open connections drop mid-transaction, new ones are never answered.
    const burst = Array.from({ length: 20 }, (_, i) => `burst-${i}`);
    const inFlight = burst.map((clientId) => cluster.request(1, 'POST', `/v1/conversations/${id}/messages`, { token: sender.token, body: { content: clientId, client_id: clientId } }));
    await new Promise((resolve) => setTimeout(resolve, 15));
    await relay.set('blackhole');
    const burstReplies = await Promise.all(inFlight);
    // Each either committed (201) or failed retryably (503); none crashed the node or hung.
    for (const reply of burstReplies) expect(reply.status === 201 || (reply.status === 503 && reply.body.error.code === 'store_unavailable'), JSON.stringify(reply.body)).toBe(true);
    const started = Date.now();
    const ws = await s.request('send_chat_message', { conversation_id: id, content: 'ws during', client_id: 'ws-during' }, 15_000);
    expect(ws).toMatchObject({ success: false, code: 'store_unavailable', event: 'send_chat_message' });
    expect(Date.now() - started).toBeLessThan(8000);
    const rest = await cluster.request(1, 'POST', `/v1/conversations/${id}/messages`, { token: sender.token, body: { content: 'rest during', client_id: 'rest-during' } });
    expect(rest.status).toBe(503);
    expect(rest.body.error.code).toBe('store_unavailable');
    expect(await sio.request('send_message', { session_id: caseId, content: 'sio during', temp_id: 'sio-during' })).toMatchObject({ success: false, code: 'store_unavailable' });
    const notReady = await cluster.request(1, 'GET', '/ready');
    expect(notReady.status).toBe(503);
    expect(notReady.body.error.code).toBe('store_unavailable');

    // The other node serves on, and the cut node still relays its events (the bus needs no store).
    expect(await ready(0)).toBe(200);
    const fromZero = await r.request('send_chat_message', { conversation_id: id, content: 'from node 0' });
    expect(fromZero).toMatchObject({ success: true });
    expect(await s.next((f) => isNew(id)(f) && f.message.content === 'from node 0')).toMatchObject({ message: { seq: fromZero.seq } });

    // A restart: nothing listens.
    await relay.set('refuse');
    expect(await s.request('send_chat_message', { conversation_id: id, content: 'ws during', client_id: 'ws-during' }, 15_000)).toMatchObject({ success: false, code: 'store_unavailable' });
    expect(await ready(1)).toBe(503);

    await relay.set('forward');
    await eventually(async () => (await ready(1)) === 200, 15_000, 'node 1 is ready again');

    // Nothing half-written: seqs are gap-free, last_seq matches, the refused sends are absent, and
    // every burst send answered 201 is there (a 503 one may or may not have committed: the retry tells).
    const history = await cluster.history(id, reader, 0);
    expect(history.map((m) => m.seq)).toEqual(history.map((_, i) => i + 1));
    expect((await cluster.request(0, 'GET', `/v1/conversations/${id}`, { token: reader.token })).body.conversation.last_seq).toBe(history.length);
    const contents = history.map((m) => m.content as string);
    expect(contents[0]).toBe('before');
    expect(contents.filter((c) => c === 'from node 0')).toHaveLength(1);
    expect(contents.filter((c) => c.endsWith('during'))).toEqual([]);
    burst.forEach((clientId, i) => burstReplies[i]!.status === 201 && expect(contents).toContain(clientId));
    expect((await cluster.history(caseId, customer, 0)).map((m) => m.content)).toEqual(['I want a refund']);

    // The clients retry with the same client ids on the same connections: each lands exactly once.
    const seqBefore = history.length;
    expect(await s.request('send_chat_message', { conversation_id: id, content: 'ws during', client_id: 'ws-during' })).toMatchObject({ success: true, seq: seqBefore + 1 });
    const again = await cluster.request(1, 'POST', `/v1/conversations/${id}/messages`, { token: sender.token, body: { content: 'rest during', client_id: 'rest-during' } });
    expect(again.status).toBe(201);
    expect(again.body.message.seq).toBe(seqBefore + 2);
    expect(await sio.request('send_message', { session_id: caseId, content: 'sio during', temp_id: 'sio-during' })).toMatchObject({ success: true, seq: 2 });
    for (const [i, clientId] of burst.entries()) {
      if (burstReplies[i]!.status === 201) continue;
      const retried = await cluster.request(1, 'POST', `/v1/conversations/${id}/messages`, { token: sender.token, body: { content: clientId, client_id: clientId } });
      expect([200, 201]).toContain(retried.status);
    }
    const final = await cluster.history(id, reader, 1);
    expect(final.map((m) => m.seq)).toEqual(final.map((_, i) => i + 1));
    const finalIds = final.map((m) => m.client_id).filter((c): c is string => c !== null);
    expect([...finalIds].sort()).toEqual([...burst, 'ws-during', 'rest-during'].sort());
    expect(await r.next((f) => isNew(id)(f) && f.message.client_id === 'rest-during')).toMatchObject({ message: { seq: seqBefore + 2 } });
    expect(cluster.node(1).running).toBe(true);
  });

  it('keeps its open connections served while the store is gone, and their clients can move to a healthy node', async () => {
    const { sender, id, s, r } = await setup();
    await relay.set('refuse');
    try {
      // Connections already open stay open and keep receiving what other nodes publish.
      expect(await r.request('send_chat_message', { conversation_id: id, content: 'still flowing' })).toMatchObject({ success: true });
      expect(await s.next(isNew(id))).toMatchObject({ message: { content: 'still flowing' } });
      expect(s.closed).toBeUndefined();
      // A client that gives up on node 1 carries on through node 0.
      const moved = await cluster.ws(0, sender);
      expect(await moved.request('send_chat_message', { conversation_id: id, content: 'moved', client_id: 'moved-1' })).toMatchObject({ success: true });
      expect(await r.next((f) => isNew(id)(f) && f.message.content === 'moved')).toMatchObject({ message: { client_id: 'moved-1' } });
    } finally {
      await relay.set('forward');
    }
    await eventually(async () => (await ready(1)) === 200, 15_000, 'node 1 is ready again');
  });

  it('tells a client that connects during the outage to retry (1013), not that its token is invalid (4001)', async () => {
    const [user] = await cluster.users(1, ['CONTROL_STAFF']);
    await relay.set('refuse');
    try {
      const ws = await TestWsClient.connect(cluster.node(1).url, user!.token);
      const frame = await ws.next();
      expect(frame).toMatchObject({ type: 'error', code: 'store_unavailable' });
      expect(await ws.waitClose()).toMatchObject({ code: 1013 });
      await expect(TestSioClient.connect(cluster.node(1).url, user!.token)).rejects.toThrow('Service temporarily unavailable');
    } finally {
      await relay.set('forward');
    }
    await eventually(async () => (await ready(1)) === 200, 15_000, 'node 1 is ready again');
    const back = await cluster.ws(1, user!);
    expect(back.closed).toBeUndefined();
  });
});
