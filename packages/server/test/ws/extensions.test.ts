import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import type { TestWsClient } from '../support/ws-client.js';
import { conversation, OpenClients, restHistory, restSend, type Frame } from './ws-fixtures.js';

/** Switchboard's extensions to GuzoSync's protocol: request ids, seq, sync, receipts, presence, typing expiry, edits. */
describe('native protocol extensions', () => {
  let server: TestServer;
  const clients = new OpenClients(() => server);
  beforeAll(async () => {
    server = await startTestServer({ TYPING_TIMEOUT_SECONDS: '1' });
  });
  afterEach(() => clients.closeAll());
  afterAll(() => server.close());

  const staff = () => server.user(['CONTROL_STAFF']);

  async function joined(client: TestWsClient, id: string): Promise<TestWsClient> {
    expect((await client.request('join_conversation', { conversation_id: id })).success).toBe(true);
    return client;
  }

  async function room() {
    const a = await staff();
    const b = await staff();
    const id = await conversation(server, a, [b]);
    return { a, b, id, ca: await joined(await clients.as(a), id), cb: await joined(await clients.as(b), id) };
  }

  it('echoes request_id, string or number, on replies, on failures and on pong', async () => {
    const { id, ca } = await room();
    const frames: [Record<string, unknown>, (f: Frame) => void][] = [
      [{ type: 'send_chat_message', data: { conversation_id: id, content: 'hi' }, request_id: 'str-1' }, (f) => expect(f).toMatchObject({ success: true })],
      [{ type: 'send_chat_message', data: { conversation_id: 'nope', content: 'hi' }, request_id: 2 }, (f) => expect(f).toMatchObject({ success: false, error: 'Conversation not found or access denied' })],
      [{ type: 'send_chat_message', data: {}, request_id: 'str-3' }, (f) => expect(f).toMatchObject({ success: false, error: 'Conversation ID and content required' })],
      [{ type: 'nonsense', request_id: 4 }, (f) => expect(f).toMatchObject({ success: false, error: 'Unknown message type: nonsense' })],
      [{ data: {}, request_id: 'str-5' }, (f) => expect(f).toMatchObject({ type: 'error', message: 'Message type required' })],
      [{ type: 'ping', timestamp: 1, request_id: 6 }, (f) => expect(f).toMatchObject({ type: 'pong', timestamp: 1 })],
      [{ type: 'join_room', room_id: `conversation:${id}`, request_id: 'str-7' }, (f) => expect(f).toMatchObject({ type: 'room_joined' })],
    ];
    for (const [frame, check] of frames) {
      ca.send(frame);
      const reply = await ca.next((f) => f.request_id === frame.request_id);
      check(reply);
    }
  });

  describe('sync', () => {
    it('returns exactly the messages after after_seq, in seq order, and pages with has_more', async () => {
      const { a, b, id, ca } = await room();
      const other = await conversation(server, a, [b]);
      for (let i = 1; i <= 7; i++) await restSend(server, i % 2 ? a : b, id, `s${i}`);
      await restSend(server, b, other, 'elsewhere');
      const seqs = (entry: Frame) => entry.messages.map((m: Frame) => m.seq);

      const reply = await ca.request('sync', { conversations: [{ id, after_seq: 3 }, { id: other, after_seq: 0 }] });
      expect(reply.success).toBe(true);
      const [mine, theirs] = reply.conversations;
      expect(mine).toMatchObject({ conversation_id: id, has_more: false, last_seq: 7 });
      expect(seqs(mine)).toEqual([4, 5, 6, 7]);
      expect(mine.messages.map((m: Frame) => m.content)).toEqual(['s4', 's5', 's6', 's7']);
      expect(mine.messages[0]).toMatchObject({ conversation_id: id, sender_id: b.user.id, message_type: 'TEXT', sent_at: expect.any(String) });
      expect(theirs).toMatchObject({ conversation_id: other, has_more: false });
      expect(seqs(theirs)).toEqual([1]);

      const page1 = (await ca.request('sync', { conversations: [{ id, after_seq: 0 }], limit: 3 })).conversations[0];
      expect([seqs(page1), page1.has_more]).toEqual([[1, 2, 3], true]);
      const page2 = (await ca.request('sync', { conversations: [{ id, after_seq: 3 }], limit: 3 })).conversations[0];
      expect([seqs(page2), page2.has_more]).toEqual([[4, 5, 6], true]);
      const page3 = (await ca.request('sync', { conversations: [{ id, after_seq: 6 }], limit: 3 })).conversations[0];
      expect([seqs(page3), page3.has_more]).toEqual([[7], false]);
      const caughtUp = (await ca.request('sync', { conversations: [{ id, after_seq: 7 }] })).conversations[0];
      expect([seqs(caughtUp), caughtUp.has_more]).toEqual([[], false]);
    });

    it('refuses to sync a conversation the user does not take part in', async () => {
      const { a, id } = await room();
      await restSend(server, a, id, 'private');
      const outsider = await clients.as(await staff());
      const reply = await outsider.request('sync', { conversations: [{ id, after_seq: 0 }] });
      expect(reply.success).toBe(false);
      expect(JSON.stringify(reply)).not.toContain('private');
    });
  });

  it('puts seq on every new_message and message_notification', async () => {
    const { a, b, id, ca, cb } = await room();
    const away = await clients.as(b); // b's second connection, outside the room
    for (let i = 1; i <= 3; i++) await ca.request('send_chat_message', { conversation_id: id, content: `n${i}` });
    await restSend(server, a, id, 'n4');
    for (let seq = 1; seq <= 4; seq++) {
      expect((await cb.next((f) => f.type === 'new_message')).message.seq).toBe(seq);
      expect((await away.next((f) => f.type === 'message_notification')).seq).toBe(seq);
    }
  });

  it('answers mark_delivered with the pointer and sends delivery_receipt to the others in the room', async () => {
    const { a, b, id, ca, cb } = await room();
    for (const text of ['d1', 'd2', 'd3']) await restSend(server, a, id, text);
    expect(await cb.request('mark_delivered', { conversation_id: id, seq: 2 })).toMatchObject({ success: true, conversation_id: id, last_delivered_seq: 2 });
    expect(await ca.next((f) => f.type === 'delivery_receipt')).toMatchObject({ type: 'delivery_receipt', conversation_id: id, user_id: b.user.id, last_delivered_seq: 2, timestamp: expect.any(String) });
    await cb.nothing((f) => f.type === 'delivery_receipt');
    // Pointers only move forward: an older seq changes nothing and announces nothing.
    expect(await cb.request('mark_delivered', { conversation_id: id, seq: 1 })).toMatchObject({ success: true, last_delivered_seq: 2 });
    await ca.nothing((f) => f.type === 'delivery_receipt');
    const participants = (await server.request('GET', `/v1/conversations/${id}/participants`, { token: a.token })).body.participants;
    expect(participants.find((p: Frame) => p.user_id === b.user.id).last_delivered_seq).toBe(2);
  });

  describe('presence', () => {
    const presenceOf = (userId: string, status: string) => (f: Frame) => f.type === 'presence' && f.user_id === userId && f.status === status;

    it('announces online and offline to users who share a conversation, once per user, and to nobody else', async () => {
      const a = await staff();
      const b = await staff();
      await conversation(server, a, [b]);
      const watcher = await clients.as(a);
      const stranger = await clients.as(await staff());

      const first = await clients.as(b);
      expect(await watcher.next(presenceOf(b.user.id, 'online'))).toMatchObject({ type: 'presence', user_id: b.user.id, status: 'online' });
      const second = await clients.as(b);
      first.close();
      await first.waitClose();
      // b still holds a connection: no offline yet, and no second online.
      await watcher.nothing((f) => f.type === 'presence' && f.user_id === b.user.id);
      second.close();
      expect(await watcher.next(presenceOf(b.user.id, 'offline'))).toMatchObject({ type: 'presence', user_id: b.user.id, status: 'offline' });
      await stranger.nothing((f) => f.type === 'presence');
    });

    it('announces the presence of someone who became a contact after the watcher connected', async () => {
      const a = await staff();
      const b = await staff();
      const watcher = await clients.as(a);
      await conversation(server, a, [b]);
      await clients.as(b);
      expect(await watcher.next(presenceOf(b.user.id, 'online'), 2000)).toMatchObject({ user_id: b.user.id, status: 'online' });
    });

    it('stops announcing presence to someone who no longer shares a conversation', async () => {
      const a = await staff();
      const b = await staff();
      const id = await conversation(server, a, [b]);
      const watcher = await clients.as(a);
      const first = await clients.as(b);
      expect(await watcher.next(presenceOf(b.user.id, 'online'))).toMatchObject({ status: 'online' });
      first.close();
      expect(await watcher.next(presenceOf(b.user.id, 'offline'))).toMatchObject({ status: 'offline' });
      expect((await server.request('DELETE', `/v1/conversations/${id}/participants/${b.user.id}`, { token: a.token })).status).toBe(204);
      await clients.as(b);
      await watcher.nothing((f) => f.type === 'presence' && f.user_id === b.user.id);
    });

    it('answers get_presence for contacts and oneself only', async () => {
      const a = await staff();
      const b = await staff();
      const stranger = await staff();
      await conversation(server, a, [b]);
      const client = await clients.as(a);
      await clients.as(stranger);
      const reply = await client.request('get_presence', { user_ids: [b.user.id, stranger.user.id, a.user.id] });
      expect(reply.success).toBe(true);
      const byId = Object.fromEntries(reply.presence.map((p: Frame) => [p.user_id, p.status]));
      expect(byId).toEqual({ [b.user.id]: 'offline', [a.user.id]: 'online' });
    });
  });

  describe('typing', () => {
    it('withdraws a typing indicator that is not refreshed within TYPING_TIMEOUT_SECONDS', async () => {
      const { a, id, ca, cb } = await room();
      const started = Date.now();
      await ca.request('typing_indicator', { conversation_id: id, is_typing: true });
      expect(await cb.next((f) => f.type === 'typing_status')).toMatchObject({ user_id: a.user.id, is_typing: true });
      expect(await cb.next((f) => f.type === 'typing_status', 3000)).toMatchObject({ conversation_id: id, user_id: a.user.id, is_typing: false });
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    });

    it('keeps the indicator while it is refreshed, and stops it when the typist sends the message', async () => {
      const { a, id, ca, cb } = await room();
      await ca.request('typing_indicator', { conversation_id: id, is_typing: true });
      expect(await cb.next((f) => f.type === 'typing_status')).toMatchObject({ is_typing: true });
      await new Promise((r) => setTimeout(r, 600));
      await ca.request('typing_indicator', { conversation_id: id, is_typing: true });
      expect(await cb.next((f) => f.type === 'typing_status')).toMatchObject({ is_typing: true });
      // 600 ms after the refresh, 1200 ms after the start: still typing.
      await cb.nothing((f) => f.type === 'typing_status', 600);
      await ca.request('send_chat_message', { conversation_id: id, content: 'done typing' });
      expect(await cb.next((f) => f.type === 'typing_status')).toMatchObject({ user_id: a.user.id, is_typing: false });
      // The timer was cleared: no second "stopped" when it would have fired.
      await cb.nothing((f) => f.type === 'typing_status', 1200);
    });
  });

  describe('edit_message and delete_message', () => {
    it('lets the author edit a message; the room gets message_edited and the history shows the new text', async () => {
      const { a, id, ca, cb } = await room();
      const sent = await ca.request('send_chat_message', { conversation_id: id, content: 'draft' });
      const reply = await ca.request('edit_message', { conversation_id: id, message_id: sent.message_id, content: 'final' });
      expect(reply).toMatchObject({ success: true, message: { id: sent.message_id, content: 'final', seq: sent.seq } });
      const edited = await cb.next((f) => f.type === 'message_edited');
      expect(edited).toMatchObject({ type: 'message_edited', conversation_id: id, message: { id: sent.message_id, content: 'final', seq: sent.seq } });
      expect(edited.message.edited_at).not.toBeNull();
      expect((await restHistory(server, a, id)).map((m) => m.content)).toEqual(['final']);
    });

    it('lets the author delete a message; the room gets message_deleted without the content', async () => {
      const { a, id, ca, cb } = await room();
      const sent = await ca.request('send_chat_message', { conversation_id: id, content: 'oops' });
      expect(await ca.request('delete_message', { conversation_id: id, message_id: sent.message_id })).toMatchObject({ success: true, message: { id: sent.message_id, content: '' } });
      const deleted = await cb.next((f) => f.type === 'message_deleted');
      expect(deleted).toMatchObject({ type: 'message_deleted', conversation_id: id, message: { id: sent.message_id, content: '', seq: sent.seq } });
      expect(deleted.message.deleted_at).not.toBeNull();
      expect((await restHistory(server, a, id))[0]).toMatchObject({ id: sent.message_id, content: '' });
    });

    it('refuses an edit or delete by anyone but the author and announces nothing', async () => {
      const { a, id, ca, cb } = await room();
      const sent = await ca.request('send_chat_message', { conversation_id: id, content: 'mine' });
      expect(await cb.request('edit_message', { conversation_id: id, message_id: sent.message_id, content: 'hijacked' })).toMatchObject({ success: false, code: 'forbidden' });
      expect(await cb.request('delete_message', { conversation_id: id, message_id: sent.message_id })).toMatchObject({ success: false, code: 'forbidden' });
      const outsider = await clients.as(await staff());
      expect((await outsider.request('edit_message', { conversation_id: id, message_id: sent.message_id, content: 'x' })).success).toBe(false);
      expect((await outsider.request('delete_message', { conversation_id: id, message_id: sent.message_id })).success).toBe(false);
      await Promise.all([ca.nothing((f) => f.type === 'message_edited' || f.type === 'message_deleted'), cb.nothing((f) => f.type === 'message_edited' || f.type === 'message_deleted')]);
      expect((await restHistory(server, a, id)).map((m) => m.content)).toEqual(['mine']);
    });
  });
});
