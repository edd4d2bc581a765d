import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, clusterServices, type ClusterUser } from '../support/cluster.js';
import type { TestWsClient } from '../support/ws-client.js';

type Frame = Record<string, any>;

const services = clusterServices();

const isNew = (conversationId: string) => (f: Frame) => f.type === 'new_message' && f.conversation_id === conversationId;

/** Joins the conversation's room on each client (so they get `new_message`, not notifications). */
async function joinAll(conversationId: string, clients: readonly TestWsClient[]): Promise<void> {
  for (const client of clients) expect(await client.request('join_conversation', { conversation_id: conversationId })).toMatchObject({ success: true });
}

/** Presence crosses nodes through Redis; with other suites running beside this one it can take seconds. */
const PRESENCE_WAIT_MS = 15_000;

describe.skipIf(!services)('three nodes on one PostgreSQL and one Redis', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await Cluster.start(services!, { nodes: 3 });
  });
  afterEach(() => cluster?.closeClients());
  afterAll(() => cluster?.close());

  it('accepts users, conversations and tokens from any node: a login on one node works on the others', async () => {
    const email = `login-${Date.now()}@example.com`;
    const made = await cluster.user(['CONTROL_STAFF'], { node: 0, email, password: 'password123' });
    const login = await cluster.request(1, 'POST', '/v1/auth/login', { body: { email, password: 'password123' } });
    expect(login.status).toBe(200);
    const token = login.body.access_token as string;
    const other = await cluster.user(['BUS_DRIVER'], { node: 2 });
    const created = await cluster.request(2, 'POST', '/v1/conversations', { token, body: { type: 'direct', participant_ids: [other.id] } });
    expect(created.status).toBe(201);
    const me = await cluster.request(0, 'GET', '/v1/me', { token });
    expect(me.body.user.id).toBe(made.id);
    expect((await cluster.request(1, 'GET', `/v1/conversations/${created.body.conversation.id}`, { token: other.token })).status).toBe(200);
  });

  it('delivers a message sent on node 0 to recipients on nodes 1 and 2 exactly once, and notifies a participant outside the room', async () => {
    const [sender, r1, r2, outside] = await cluster.users(4, ['CONTROL_STAFF']);
    const id = await cluster.conversation([sender!, r1!, r2!, outside!]);
    const s = await cluster.ws(0, sender!);
    const a = await cluster.ws(1, r1!);
    const b = await cluster.ws(2, r2!);
    const notified = await cluster.ws(1, outside!);
    await joinAll(id, [s, a, b]);

    const reply = await s.request('send_chat_message', { conversation_id: id, content: 'Road closed at Piazza', client_id: 'c-1' });
    expect(reply).toMatchObject({ success: true, seq: 1, message_id: expect.any(String) });

    for (const recipient of [a, b]) {
      expect(await recipient.next(isNew(id))).toMatchObject({ message: { id: reply.message_id, seq: 1, content: 'Road closed at Piazza', sender_id: sender!.id, client_id: 'c-1' } });
    }
    expect(await notified.next((f) => f.type === 'message_notification')).toMatchObject({ conversation_id: id, from_user_id: sender!.id, seq: 1 });
    // Once: no second copy on any node, and none back to the sending connection.
    await Promise.all([a.nothing(isNew(id), 400), b.nothing(isNew(id)), s.nothing(isNew(id)), notified.nothing((f) => f.type === 'message_notification')]);
  });

  it('runs a support-desk Socket.IO session whose people are on three different nodes', async () => {
    const customer = await cluster.user(['customer']);
    const agent = await cluster.user(['support']);
    const opened = await cluster.request(0, 'POST', '/v1/support/cases', { token: customer.token, body: { subject: 'Order late', content: 'Where is my order?' } });
    expect(opened.status).toBe(201);
    const id = opened.body.case.conversation_id as string;

    const c = await cluster.sio(1, customer);
    const a = await cluster.sio(2, agent);
    c.emit('join_session', { session_id: id });
    expect((await c.next('session_joined')).messages.map((m: { content: string }) => m.content)).toEqual(['Where is my order?']);
    a.emit('join_session', { session_id: id });
    await a.next('session_joined');
    expect(await c.next('user_joined')).toMatchObject({ user_id: agent.id });

    expect(await a.request('accept_chat', { session_id: id })).toMatchObject({ success: true, status: 'active' });
    expect(await c.next('chat_accepted')).toMatchObject({ agent_id: agent.id, session: { id, status: 'active' } });

    // The agent also watches on the native protocol from node 0.
    const native = await cluster.ws(0, agent);
    await joinAll(id, [native]);

    expect(await c.request('send_message', { session_id: id, content: 'Any news?', temp_id: 't-1' })).toMatchObject({ success: true, temp_id: 't-1' });
    expect((await a.next('new_message', (d) => d.message.content === 'Any news?')).message).toMatchObject({ session_id: id, sender_id: customer.id });
    expect(await native.next(isNew(id))).toMatchObject({ message: { content: 'Any news?', sender_id: customer.id } });

    a.emit('typing', { session_id: id });
    expect(await c.next('user_typing')).toMatchObject({ session_id: id, user_id: agent.id });
    a.emit('stop_typing', { session_id: id });
    expect(await c.next('typing_stopped')).toMatchObject({ session_id: id, user_id: agent.id });

    expect(await a.request('mark_as_read', { session_id: id })).toMatchObject({ success: true });
    expect(await c.next('messages_read', (d) => d.user_id === agent.id)).toMatchObject({ session_id: id, last_read_seq: expect.any(Number) });

    expect(await a.request('send_message', { session_id: id, content: 'Out for delivery', temp_id: 't-2' })).toMatchObject({ success: true });
    expect((await c.next('new_message', (d) => d.message.content === 'Out for delivery')).message).toMatchObject({ sender_id: agent.id });
    await c.nothing('new_message', (d) => d.message.content === 'Out for delivery');
  });

  it('carries read receipts across nodes, to the room and to the reader’s other devices', async () => {
    const [sender, reader, third] = await cluster.users(3, ['CONTROL_STAFF']);
    const id = await cluster.conversation([sender!, reader!, third!]);
    const s = await cluster.ws(0, sender!);
    const r = await cluster.ws(1, reader!);
    const t = await cluster.ws(2, third!);
    const readerPhone = await cluster.ws(2, reader!);
    await joinAll(id, [s, r, t, readerPhone]);
    const sent = await s.request('send_chat_message', { conversation_id: id, content: 'Please confirm' });
    await r.next(isNew(id));

    expect(await r.request('mark_message_read', { conversation_id: id, message_id: sent.message_id })).toMatchObject({ success: true, last_read_seq: sent.seq });
    const receipt = { type: 'message_read', conversation_id: id, user_id: reader!.id, message_id: sent.message_id, last_read_seq: sent.seq };
    expect(await s.next((f) => f.type === 'message_read')).toMatchObject(receipt);
    expect(await t.next((f) => f.type === 'message_read')).toMatchObject(receipt);
    expect(await readerPhone.next((f) => f.type === 'message_read')).toMatchObject(receipt);
    const summary = await cluster.request(2, 'GET', `/v1/conversations/${id}`, { token: reader!.token });
    expect(summary.body.conversation.unread_count).toBe(0);
  });

  it('shows typing across nodes, and withdraws it', async () => {
    const [typist, r1, r2] = await cluster.users(3, ['CONTROL_STAFF']);
    const id = await cluster.conversation([typist!, r1!, r2!]);
    const ty = await cluster.ws(0, typist!);
    const a = await cluster.ws(1, r1!);
    const b = await cluster.ws(2, r2!);
    await joinAll(id, [ty, a, b]);
    const isTyping = (value: boolean) => (f: Frame) => f.type === 'typing_status' && f.is_typing === value;

    expect(await ty.request('typing_indicator', { conversation_id: id, is_typing: true })).toMatchObject({ success: true });
    for (const c of [a, b]) expect(await c.next(isTyping(true))).toMatchObject({ conversation_id: id, user_id: typist!.id });
    expect(await ty.request('typing_indicator', { conversation_id: id, is_typing: false })).toMatchObject({ success: true });
    for (const c of [a, b]) expect(await c.next(isTyping(false))).toMatchObject({ conversation_id: id, user_id: typist!.id });
    await ty.nothing((f) => f.type === 'typing_status');
  });

  it('announces presence of a user connected to another node: online once, offline when the last connection anywhere closes', async () => {
    const [watched, watcher] = await cluster.users(2, ['CONTROL_STAFF']);
    await cluster.conversation([watched!, watcher!]);
    const w = await cluster.ws(1, watcher!);
    const about = (status: string) => (f: Frame) => f.type === 'presence' && f.user_id === watched!.id && f.status === status;
    // An answer means the watcher's connection is registered, presence subscriptions included:
    // an "online" published before that would never reach it.
    await w.request('get_presence', { user_ids: [watched!.id] });

    const first = await cluster.ws(2, watched!);
    expect(await w.next(about('online'), PRESENCE_WAIT_MS)).toMatchObject({ last_seen_at: expect.any(String) });
    const asked = await cluster.ws(0, watcher!);
    expect(await asked.request('get_presence', { user_ids: [watched!.id] })).toMatchObject({ presence: [{ user_id: watched!.id, status: 'online' }] });

    const second = await cluster.ws(0, watched!);
    await w.nothing(about('online'));
    first.close();
    await w.nothing(about('offline'), 500);
    expect(await asked.request('get_presence', { user_ids: [watched!.id] })).toMatchObject({ presence: [{ status: 'online' }] });
    second.close();
    expect(await w.next(about('offline'), PRESENCE_WAIT_MS)).toMatchObject({ user_id: watched!.id });
    expect(await asked.request('get_presence', { user_ids: [watched!.id] })).toMatchObject({ presence: [{ status: 'offline' }] });
  });

  it('answers a client_id retry on another node with the original message, even when the attempts race', async () => {
    const [sender, reader] = await cluster.users(2, ['CONTROL_STAFF']);
    const id = await cluster.conversation([sender!, reader!]);
    const r = await cluster.ws(1, reader!);
    await joinAll(id, [r]);
    const s0 = await cluster.ws(0, sender!);
    const s2 = await cluster.ws(2, sender!);

    const first = await s0.request('send_chat_message', { conversation_id: id, content: 'Bus 12 delayed', client_id: 'retry-1' });
    expect(first).toMatchObject({ success: true, seq: 1 });
    const viaRest = await cluster.request(1, 'POST', `/v1/conversations/${id}/messages`, { token: sender!.token, body: { content: 'Bus 12 delayed', client_id: 'retry-1' } });
    expect(viaRest.status).toBe(200);
    expect(viaRest.body.message).toMatchObject({ id: first.message_id, seq: 1 });
    expect(await s2.request('send_chat_message', { conversation_id: id, content: 'Bus 12 delayed', client_id: 'retry-1' })).toMatchObject({ success: true, message_id: first.message_id, seq: 1 });

    // Three first attempts at once, one per node: one message.
    const raced = await Promise.all([
      s0.request('send_chat_message', { conversation_id: id, content: 'Race', client_id: 'race-1' }),
      cluster.request(1, 'POST', `/v1/conversations/${id}/messages`, { token: sender!.token, body: { content: 'Race', client_id: 'race-1' } }).then((res) => ({ success: res.status < 300, message_id: res.body.message?.id, seq: res.body.message?.seq })),
      s2.request('send_chat_message', { conversation_id: id, content: 'Race', client_id: 'race-1' }),
    ]);
    expect(raced.every((res) => res.success)).toBe(true);
    expect(new Set(raced.map((res) => res.message_id)).size).toBe(1);
    expect(raced.map((res) => res.seq)).toEqual([2, 2, 2]);

    const history = await cluster.history(id, reader!);
    expect(history.map((m) => [m.seq, m.client_id])).toEqual([[1, 'retry-1'], [2, 'race-1']]);
    await r.nothing(() => false, 300);
    expect(r.frames.filter(isNew(id)).map((f) => f.message.seq)).toEqual([1, 2]);
  });

  it('counts one user’s sends on every node against one limit', async () => {
    const [sender, reader] = await cluster.users(2, ['CONTROL_STAFF']);
    const id = await cluster.conversation([sender!, reader!]);
    const send = (node: number, i: number) => cluster.request(node, 'POST', `/v1/conversations/${id}/messages`, { token: sender!.token, body: { content: `m${i}` } });
    // The default limit: 30 per 10 s. Spread over three nodes, a per-node limit would allow 90.
    for (let i = 0; i < 30; i++) expect((await send(i % 3, i)).status).toBe(201);
    const refused = await send(1, 30);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    const ws = await cluster.ws(2, sender!);
    expect(await ws.request('send_chat_message', { conversation_id: id, content: 'one more' })).toMatchObject({ success: false, code: 'rate_limited', retry_after: expect.any(Number) });
  });

  it('keeps seqs gap-free and delivers every message exactly once in seq order with 10 senders on each of 3 nodes', async () => {
    const SENDERS_PER_NODE = 10;
    const MESSAGES_PER_SENDER = 20;
    const nodes = [0, 1, 2];
    const senders = await cluster.users(nodes.length * SENDERS_PER_NODE, ['CONTROL_STAFF']);
    const listeners = await cluster.users(nodes.length, ['CONTROL_STAFF']);
    const id = await cluster.conversation([...senders, ...listeners]);
    const senderClients = await Promise.all(senders.map((user, i) => cluster.ws(nodes[i % nodes.length]!, user)));
    const listenerClients = await Promise.all(listeners.map((user, i) => cluster.ws(nodes[i]!, user)));
    await joinAll(id, [...senderClients, ...listenerClients]);
    const total = senders.length * MESSAGES_PER_SENDER;

    const replies = await Promise.all(
      senderClients.map(async (client, s) => {
        const out: Frame[] = [];
        for (let m = 0; m < MESSAGES_PER_SENDER; m++) {
          out.push(await client.request('send_chat_message', { conversation_id: id, content: `s${s}-m${m}`, client_id: `s${s}-m${m}` }, 15_000));
        }
        return out;
      }),
    );
    const acknowledged = replies.flat();
    expect(acknowledged.filter((r) => !r.success)).toEqual([]);
    expect(acknowledged.map((r) => r.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // Each sender's own messages got increasing seqs.
    for (const mine of replies) expect(mine.map((r) => r.seq)).toEqual([...mine.map((r) => r.seq)].sort((x, y) => x - y));

    const history = await cluster.history(id, listeners[0]!);
    expect(history.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(history.map((m) => m.client_id)).size).toBe(total);
    const ids = history.map((m) => m.id as string);

    const delivered = (client: TestWsClient) => client.frames.filter(isNew(id)).map((f) => f.message.id as string);
    const everyone = [...listenerClients, ...senderClients];
    const expectedFor = (client: TestWsClient) => {
      const index = senderClients.indexOf(client);
      const own = index < 0 ? undefined : new Set(replies[index]!.map((r) => r.message_id as string));
      return own === undefined ? ids : ids.filter((m) => !own.has(m));
    };
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && everyone.some((c) => delivered(c).length < expectedFor(c).length)) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    for (const client of everyone) {
      // Exactly the committed messages (others' for a sender), each once, in seq order.
      expect(delivered(client)).toEqual(expectedFor(client));
    }
  }, 90_000);
});
