import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import type { TestWsClient } from '../support/ws-client.js';
import { conversation, OpenClients, restHistory, restSend, type Frame } from './ws-fixtures.js';

/** Who gets which message, across devices, transports, retries and reconnects. */
describe('message delivery over the native gateway', () => {
  let server: TestServer;
  const clients = new OpenClients(() => server);
  beforeAll(async () => {
    server = await startTestServer({ SEND_RATE_POINTS: '1000' });
  });
  afterEach(() => clients.closeAll());
  afterAll(() => server.close());

  const staff = () => server.user(['CONTROL_STAFF']);
  const isNew = (f: Frame) => f.type === 'new_message';

  async function inRoom(client: TestWsClient, id: string): Promise<TestWsClient> {
    expect((await client.request('join_conversation', { conversation_id: id })).success).toBe(true);
    return client;
  }

  it('delivers new_message to every connection of a user in the room, and to the sender’s other devices', async () => {
    const a = await staff();
    const b = await staff();
    const id = await conversation(server, a, [b]);
    const [a1, a2, b1, b2] = await Promise.all([clients.as(a), clients.as(a), clients.as(b), clients.as(b)]);
    for (const c of [a1!, a2!, b1!, b2!]) await inRoom(c, id);

    const reply = await a1!.request('send_chat_message', { conversation_id: id, content: 'to all devices' });
    for (const c of [a2!, b1!, b2!]) {
      expect(await c.next(isNew)).toMatchObject({ conversation_id: id, message: { id: reply.message_id, seq: reply.seq, content: 'to all devices' } });
    }
    await a1!.nothing(isNew);
  });

  it('delivers a message sent over REST to WebSocket room members', async () => {
    const a = await staff();
    const b = await staff();
    const id = await conversation(server, a, [b]);
    const cb = await inRoom(await clients.as(b), id);
    const ca = await inRoom(await clients.as(a), id);
    const sent = await restSend(server, a, id, 'from the REST API');
    for (const c of [cb, ca]) {
      expect(await c.next(isNew)).toMatchObject({ conversation_id: id, message: { id: sent.id, seq: sent.seq, sender_id: a.user.id, content: 'from the REST API', message_type: 'TEXT' } });
    }
  });

  it('answers a retried client_id with the original message and broadcasts it once', async () => {
    const a = await staff();
    const b = await staff();
    const id = await conversation(server, a, [b]);
    const ca = await inRoom(await clients.as(a), id);
    const cb = await inRoom(await clients.as(b), id);

    const first = await ca.request('send_chat_message', { conversation_id: id, content: 'exactly once', client_id: 'retry-1' });
    const retry = await ca.request('send_chat_message', { conversation_id: id, content: 'exactly once', client_id: 'retry-1' });
    expect(first).toMatchObject({ success: true, client_id: 'retry-1', seq: 1 });
    expect(retry).toMatchObject({ success: true, message_id: first.message_id, seq: 1, client_id: 'retry-1' });
    // The same key over REST is the same message too.
    const overRest = await server.request('POST', `/v1/conversations/${id}/messages`, { token: a.token, body: { content: 'exactly once', client_id: 'retry-1' } });
    expect(overRest.status).toBe(200);
    expect(overRest.body.message.id).toBe(first.message_id);

    expect((await cb.next(isNew)).message.id).toBe(first.message_id);
    await cb.nothing(isNew);
    expect((await restHistory(server, a, id)).map((m) => m.id)).toEqual([first.message_id]);
  });

  it('starts notifying a participant added while connected', async () => {
    const a = await staff();
    const b = await staff();
    const newcomer = await staff();
    const id = await conversation(server, a, [b]);
    const client = await clients.as(newcomer);
    expect((await server.request('POST', `/v1/conversations/${id}/participants`, { token: a.token, body: { user_id: newcomer.user.id } })).status).toBe(201);
    expect(await client.next((f) => f.type === 'conversation_added')).toMatchObject({ conversation_id: id, by: a.user.id });
    const sent = await restSend(server, b, id, 'welcome aboard');
    expect(await client.next((f) => f.type === 'message_notification')).toMatchObject({ conversation_id: id, from_user_id: b.user.id, preview: 'welcome aboard', seq: sent.seq });
  });

  it('stops delivering a conversation to a participant removed from it, even from inside its room', async () => {
    const a = await staff();
    const b = await staff();
    const id = await conversation(server, a, [b]);
    const cb = await inRoom(await clients.as(b), id);
    const elsewhere = await clients.as(b);
    expect((await server.request('DELETE', `/v1/conversations/${id}/participants/${b.user.id}`, { token: a.token })).status).toBe(204);
    for (const c of [cb, elsewhere]) expect(await c.next((f) => f.type === 'conversation_removed')).toMatchObject({ conversation_id: id });
    await restSend(server, a, id, 'not for b any more');
    await Promise.all([cb, elsewhere].map((c) => c.nothing((f) => f.conversation_id === id && (f.type === 'new_message' || f.type === 'message_notification'))));
    expect(await cb.request('join_conversation', { conversation_id: id })).toMatchObject({ success: false, error: 'Failed to join conversation' });
  });

  it('lets a client that reconnects sync from its last seq and end with exactly the committed messages, in order, once each', async () => {
    const a = await staff();
    const b = await staff();
    const c = await staff();
    const id = await conversation(server, a, [b, c]);
    const ca = await inRoom(await clients.as(a), id);

    // b is online and hears the first messages live.
    const seen = new Map<number, Frame>();
    const before = await inRoom(await clients.as(b), id);
    for (let i = 1; i <= 3; i++) await ca.request('send_chat_message', { conversation_id: id, content: `live ${i}` });
    for (let i = 1; i <= 3; i++) {
      const { message } = await before.next(isNew);
      seen.set(message.seq, message);
    }
    const lastSeq = Math.max(...seen.keys());
    expect(lastSeq).toBe(3);
    before.close();
    await before.waitClose();

    // While b is away, a writes over WebSocket and c over REST, interleaved.
    await Promise.all([
      (async () => {
        for (let i = 1; i <= 5; i++) expect((await ca.request('send_chat_message', { conversation_id: id, content: `ws ${i}` })).success).toBe(true);
      })(),
      (async () => {
        for (let i = 1; i <= 5; i++) await restSend(server, c, id, `rest ${i}`);
      })(),
    ]);

    // b comes back, joins the room and syncs in pages while a keeps writing.
    const after = await inRoom(await clients.as(b), id);
    const stillWriting = (async () => {
      for (let i = 1; i <= 3; i++) await ca.request('send_chat_message', { conversation_id: id, content: `during sync ${i}` });
    })();
    const synced: number[] = [];
    for (let cursor = lastSeq, more = true; more; ) {
      const reply = await after.request('sync', { conversations: [{ id, after_seq: cursor }], limit: 3 });
      expect(reply.success, JSON.stringify(reply)).toBe(true);
      const page = reply.conversations[0];
      for (const m of page.messages) {
        expect(m.seq).toBeGreaterThan(cursor);
        synced.push(m.seq);
        seen.set(m.seq, m);
        cursor = m.seq;
      }
      more = page.has_more;
    }
    await stillWriting;

    const committed = await restHistory(server, a, id);
    expect(committed).toHaveLength(16);
    // Whatever sync did not return arrives live, because b is in the room again.
    for (const m of committed) {
      if (!seen.has(m.seq)) seen.set(m.seq, (await after.next((f) => isNew(f) && f.message.seq === m.seq)).message);
    }
    expect(new Set(synced).size).toBe(synced.length);
    expect(synced).toEqual([...synced].sort((x, y) => x - y));
    expect(Math.min(...synced)).toBe(lastSeq + 1);
    const local = [...seen.values()].sort((x, y) => x.seq - y.seq);
    expect(local.map((m) => [m.seq, m.id, m.content])).toEqual(committed.map((m) => [m.seq, m.id, m.content]));
    expect(local.map((m) => m.seq)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });
});
