import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import type { TestWsClient } from '../support/ws-client.js';
import { conversation, namedUser, OpenClients, restHistory, restSend, type Frame } from './ws-fixtures.js';

/**
 * GuzoSync's documented chat events over the native gateway: each reply, each broadcast and who
 * must not get it, and the documented error texts.
 */
describe('GuzoSync chat events', () => {
  let server: TestServer;
  const clients = new OpenClients(() => server);
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(() => clients.closeAll());
  afterAll(() => server.close());

  const staff = () => server.user(['CONTROL_STAFF']);

  /** Two staff in a conversation, each connected and in its room. */
  async function room(extraMembers = 0) {
    const a = await staff();
    const b = await staff();
    const extra = await Promise.all(Array.from({ length: extraMembers }, () => staff()));
    const id = await conversation(server, a, [b, ...extra]);
    const ca = await clients.as(a);
    const cb = await clients.as(b);
    await join(ca, id);
    await join(cb, id);
    return { a, b, extra, id, ca, cb };
  }

  async function join(client: TestWsClient, id: string): Promise<Frame> {
    const reply = await client.request('join_conversation', { conversation_id: id });
    expect(reply.success, JSON.stringify(reply)).toBe(true);
    return reply;
  }

  const isNew = (id: string) => (f: Frame) => f.type === 'new_message' && f.conversation_id === id;

  describe('send_chat_message', () => {
    it('replies with the documented fields and broadcasts new_message to the room, not to the sending connection', async () => {
      const { a, id, ca, cb } = await room();
      const reply = await ca.request('send_chat_message', { conversation_id: id, content: 'Hello, I need assistance with route changes.' });
      expect(reply).toMatchObject({ success: true, message: 'Message sent successfully', message_id: expect.any(String), conversation_id: id, timestamp: expect.any(String), seq: 1 });
      const broadcast = await cb.next(isNew(id));
      expect(broadcast).toMatchObject({
        type: 'new_message',
        conversation_id: id,
        message: { id: reply.message_id, sender_id: a.user.id, content: 'Hello, I need assistance with route changes.', message_type: 'TEXT', sent_at: reply.timestamp, seq: 1 },
      });
      await ca.nothing(isNew(id));
    });

    it('sends message_notification with a 100-character preview to participants connected outside the room', async () => {
      const a = await staff();
      const inRoom = await staff();
      const outside = await staff();
      const id = await conversation(server, a, [inRoom, outside]);
      const ca = await clients.as(a);
      const cin = await clients.as(inRoom);
      const cout = await clients.as(outside);
      await join(ca, id);
      await join(cin, id);

      const long = `${'0123456789'.repeat(10)}and the rest is cut`;
      for (const [content, preview] of [
        [long, `${'0123456789'.repeat(10)}...`],
        ['x'.repeat(100), 'x'.repeat(100)],
        ['short', 'short'],
      ] as const) {
        const reply = await ca.request('send_chat_message', { conversation_id: id, content });
        const notice = await cout.next((f) => f.type === 'message_notification');
        expect(notice).toMatchObject({ type: 'message_notification', conversation_id: id, from_user_id: a.user.id, preview, timestamp: reply.timestamp });
        expect((await cin.next(isNew(id))).message.content).toBe(content);
      }
      await cout.nothing(isNew(id));
      await cin.nothing((f) => f.type === 'message_notification');
      await ca.nothing((f) => f.type === 'message_notification');
    });

    it('counts the preview in characters, so an emoji is never cut in half', async () => {
      const a = await staff();
      const outside = await staff();
      const id = await conversation(server, a, [outside]);
      const ca = await clients.as(a);
      const cout = await clients.as(outside);
      for (const [content, preview] of [
        ['😀'.repeat(150), `${'😀'.repeat(100)}...`],
        ['😀'.repeat(60), '😀'.repeat(60)],
        [`${'a'.repeat(99)}😀tail`, `${'a'.repeat(99)}😀...`],
      ] as const) {
        await ca.request('send_chat_message', { conversation_id: id, content });
        expect((await cout.next((f) => f.type === 'message_notification')).preview).toBe(preview);
      }
    });

    it('refuses a message to a closed conversation', async () => {
      const { a, id, ca, cb } = await room();
      expect((await server.request('PATCH', `/v1/conversations/${id}`, { token: a.token, body: { status: 'closed' } })).status).toBe(200);
      expect(await ca.request('send_chat_message', { conversation_id: id, content: 'too late' })).toMatchObject({ success: false, code: 'conversation_closed' });
      await cb.nothing(isNew(id));
      expect(await restHistory(server, a, id)).toEqual([]);
    });

    it('answers missing conversation id or content with "Conversation ID and content required" and writes nothing', async () => {
      const { a, id, ca, cb } = await room();
      for (const data of [{}, { conversation_id: id }, { content: 'hi' }, { conversation_id: id, content: '' }, { conversation_id: '', content: 'hi' }, { conversation_id: id, content: 7 }]) {
        const reply = await ca.request('send_chat_message', data);
        expect(reply, JSON.stringify(data)).toMatchObject({ success: false, error: 'Conversation ID and content required' });
      }
      expect(await restHistory(server, a, id)).toEqual([]);
      await cb.nothing(isNew(id));
    });

    it('stores only message kinds the REST API would accept', async () => {
      const { a, id, ca } = await room();
      for (const messageType of ['', 'not a kind!', 'SYSTEM']) {
        const reply = await ca.request('send_chat_message', { conversation_id: id, content: 'typed', message_type: messageType });
        expect(reply.success, `message_type ${JSON.stringify(messageType)}: ${JSON.stringify(reply)}`).toBe(false);
      }
      expect(await restHistory(server, a, id)).toEqual([]);
    });
  });

  it('refuses a non-member on send, typing, read and get messages with "Conversation not found or access denied"', async () => {
    const { a, id, ca, cb } = await room();
    const first = await restSend(server, a, id, 'members only');
    const outsider = await clients.as(await staff());
    for (const conversationId of [id, 'no-such-conversation']) {
      const attempts: [string, Record<string, unknown>][] = [
        ['send_chat_message', { conversation_id: conversationId, content: 'let me in' }],
        ['typing_indicator', { conversation_id: conversationId, is_typing: true }],
        ['mark_message_read', { conversation_id: conversationId, message_id: first.id }],
        ['get_conversation_messages', { conversation_id: conversationId }],
      ];
      for (const [type, data] of attempts) {
        const reply = await outsider.request(type, data);
        expect(reply, `${type} on ${conversationId}`).toMatchObject({ success: false, error: 'Conversation not found or access denied' });
        expect(reply.messages).toBeUndefined();
      }
    }
    expect((await restHistory(server, a, id)).map((m) => m.content)).toEqual(['members only']);
    await ca.nothing((f) => f.type === 'typing_status' || f.type === 'message_read');
    await cb.nothing((f) => f.type === 'typing_status' || f.type === 'message_read' || (f.type === 'new_message' && f.message.content === 'let me in'));
  });

  it('lists active conversations newest activity first, with named participants, the last message and a count', async () => {
    const control = await namedUser(server, ['CONTROL_STAFF'], 'Jane', 'Smith');
    const driver = await namedUser(server, ['BUS_DRIVER'], 'John', 'Doe');
    const older = await conversation(server, control, [driver], { title: 'Older' });
    const newer = await conversation(server, control, [driver], { title: 'Newer' });
    const closed = await conversation(server, control, [driver], { title: 'Closed' });
    expect((await server.request('PATCH', `/v1/conversations/${closed}`, { token: control.token, body: { status: 'closed' } })).status).toBe(200);
    await restSend(server, driver, newer, 'first');
    const last = await restSend(server, control, older, "I'll help you with that route change.");

    const client = await clients.as(driver);
    const reply = await client.request('get_active_conversations', {});
    expect(reply).toMatchObject({ success: true, count: 2, timestamp: expect.any(String) });
    expect(reply.conversations.map((c: Frame) => c.id)).toEqual([older, newer]);
    const [first] = reply.conversations;
    expect(first).toMatchObject({ id: older, title: 'Older', status: 'ACTIVE', created_by: control.user.id, last_message_at: last.created_at });
    expect(first.last_message).toMatchObject({ id: last.id, content: last.content, sender_id: control.user.id, sent_at: last.created_at });
    const byId = Object.fromEntries(first.participants.map((p: Frame) => [p.id, p]));
    expect(byId[driver.user.id]).toMatchObject({ id: driver.user.id, email: driver.email, role: 'BUS_DRIVER', first_name: 'John', last_name: 'Doe' });
    expect(byId[control.user.id]).toMatchObject({ id: control.user.id, email: control.email, role: 'CONTROL_STAFF', first_name: 'Jane', last_name: 'Smith' });
    expect(first.participants).toHaveLength(2);
  });

  it('returns the newest `limit` messages after `skip`, oldest first', async () => {
    const { a, b, id, ca } = await room();
    const sent: Frame[] = [];
    for (let i = 1; i <= 5; i++) sent.push(await restSend(server, i % 2 ? a : b, id, `m${i}`));
    const contents = (reply: Frame) => reply.messages.map((m: Frame) => m.content);

    const all = await ca.request('get_conversation_messages', { conversation_id: id });
    expect(all).toMatchObject({ success: true, count: 5, conversation_id: id });
    expect(contents(all)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(all.messages[1]).toMatchObject({ id: sent[1]!.id, conversation_id: id, sender_id: b.user.id, content: 'm2', message_type: 'TEXT', sent_at: sent[1]!.created_at });

    expect(contents(await ca.request('get_conversation_messages', { conversation_id: id, limit: 2, skip: 0 }))).toEqual(['m4', 'm5']);
    const window = await ca.request('get_conversation_messages', { conversation_id: id, limit: 2, skip: 1 });
    expect(contents(window)).toEqual(['m3', 'm4']);
    expect(window.count).toBe(2);
    expect(contents(await ca.request('get_conversation_messages', { conversation_id: id, limit: 10, skip: 4 }))).toEqual(['m1']);
    expect(contents(await ca.request('get_conversation_messages', { conversation_id: id, skip: 5 }))).toEqual([]);
  });

  it('answers an out-of-range skip with a client error or an empty page, never an internal error', async () => {
    const { a, id, ca } = await room();
    await restSend(server, a, id, 'only');
    for (const skip of [2 ** 53, 2 ** 63, 1e308]) {
      const reply = await ca.request('get_conversation_messages', { conversation_id: id, skip });
      expect(reply.code, `skip ${skip}: ${JSON.stringify(reply)}`).not.toBe('internal');
      if (reply.success) expect(reply.messages).toEqual([]);
    }
  });

  describe('join_conversation', () => {
    it('sends conversation_joined first, then the reply, and the joiner gets new_message from then on', async () => {
      const a = await staff();
      const b = await staff();
      const id = await conversation(server, a, [b]);
      const cb = await clients.as(b);
      const reply = await cb.request('join_conversation', { conversation_id: id });
      expect(reply).toMatchObject({ success: true, message: `Joined conversation ${id}`, conversation_id: id });
      const joined = cb.frames.findIndex((f) => f.type === 'conversation_joined');
      expect(cb.frames[joined]).toMatchObject({ type: 'conversation_joined', conversation_id: id, room_id: `conversation:${id}`, message: expect.any(String) });
      expect(joined).toBeGreaterThan(0);
      expect(joined).toBeLessThan(cb.frames.indexOf(reply));
      await restSend(server, a, id, 'now you hear me');
      expect((await cb.next(isNew(id))).message.content).toBe('now you hear me');
    });

    it('switches a connection back to message_notification after leave_conversation', async () => {
      const { a, id, cb } = await room();
      expect(await cb.request('leave_conversation', { conversation_id: id })).toMatchObject({ success: true, conversation_id: id });
      await restSend(server, a, id, 'you left the room');
      expect(await cb.next((f) => f.type === 'message_notification')).toMatchObject({ conversation_id: id, preview: 'you left the room' });
      await cb.nothing(isNew(id));
    });

    it('answers a non-participant or an unknown conversation with "Failed to join conversation"', async () => {
      const a = await staff();
      const id = await conversation(server, a, [await staff()]);
      const outsider = await clients.as(await staff());
      for (const conversationId of [id, 'no-such-conversation']) {
        expect(await outsider.request('join_conversation', { conversation_id: conversationId })).toMatchObject({ success: false, error: 'Failed to join conversation' });
      }
      await restSend(server, a, id, 'secret');
      await outsider.nothing((f) => f.type === 'conversation_joined' || f.type === 'new_message' || f.type === 'message_notification');
    });
  });

  it('answers typing_indicator with {success:true} and sends typing_status to the others in the room only', async () => {
    const { a, id, ca, cb } = await room();
    for (const isTyping of [true, false]) {
      const reply = await ca.request('typing_indicator', { conversation_id: id, is_typing: isTyping });
      expect(reply).toMatchObject({ success: true });
      expect(reply.error).toBeUndefined();
      expect(await cb.next((f) => f.type === 'typing_status')).toEqual({ type: 'typing_status', conversation_id: id, user_id: a.user.id, is_typing: isTyping, timestamp: expect.any(String) });
    }
    await ca.nothing((f) => f.type === 'typing_status');
    expect(await ca.request('typing_indicator', { conversation_id: id })).toMatchObject({ success: false });
  });

  it('answers mark_message_read with success, tells the others with message_read, and persists the read pointer', async () => {
    const { a, b, id, ca, cb } = await room();
    const sent: Frame[] = [];
    for (const text of ['one', 'two', 'three']) sent.push(await restSend(server, a, id, text));
    const unread = async () => (await server.request('GET', '/v1/conversations', { token: b.token })).body.conversations.find((c: Frame) => c.id === id).unread_count;
    expect(await unread()).toBe(3);

    const reply = await cb.request('mark_message_read', { conversation_id: id, message_id: sent[1]!.id });
    expect(reply).toMatchObject({ success: true });
    expect(await ca.next((f) => f.type === 'message_read')).toMatchObject({ type: 'message_read', conversation_id: id, user_id: b.user.id, message_id: sent[1]!.id, timestamp: expect.any(String) });
    await cb.nothing((f) => f.type === 'message_read');
    expect(await unread()).toBe(1);

    // A message of another conversation does not move the pointer.
    const elsewhere = await restSend(server, a, await conversation(server, a, [b]), 'elsewhere');
    expect(await cb.request('mark_message_read', { conversation_id: id, message_id: elsewhere.id })).toMatchObject({ success: false });
    expect(await unread()).toBe(1);
  });

  describe('join_room and leave_room', () => {
    it('joins and leaves a conversation room by id with room_joined and room_left', async () => {
      const a = await staff();
      const b = await staff();
      const id = await conversation(server, a, [b]);
      const cb = await clients.as(b);
      cb.send({ type: 'join_room', room_id: `conversation:${id}` });
      expect(await cb.next((f) => f.type === 'room_joined')).toEqual({ type: 'room_joined', room_id: `conversation:${id}` });
      await restSend(server, a, id, 'in the room');
      expect((await cb.next(isNew(id))).message.content).toBe('in the room');

      cb.send({ type: 'leave_room', room_id: `conversation:${id}` });
      expect(await cb.next((f) => f.type === 'room_left')).toEqual({ type: 'room_left', room_id: `conversation:${id}` });
      await restSend(server, a, id, 'after leaving');
      expect(await cb.next((f) => f.type === 'message_notification')).toMatchObject({ conversation_id: id, preview: 'after leaving' });
      await cb.nothing(isNew(id));
    });

    it('refuses to join the room of a conversation the user may not read, and delivers nothing there', async () => {
      const a = await staff();
      const id = await conversation(server, a, [await staff()]);
      const outsider = await clients.as(await staff());
      outsider.send({ type: 'join_room', room_id: `conversation:${id}` });
      expect(await outsider.next((f) => f.type === 'error' || f.type === 'room_joined')).toMatchObject({ type: 'error', message: 'Access denied to room', room_id: `conversation:${id}` });
      await restSend(server, a, id, 'not for outsiders');
      await outsider.nothing((f) => f.type === 'new_message' || f.type === 'message_notification');
    });

    it('lets only control staff join a support room by id', async () => {
      const driver = await clients.as(await server.user(['BUS_DRIVER']));
      driver.send({ type: 'join_room', room_id: 'support:general_support' });
      expect(await driver.next((f) => f.type === 'error' || f.type === 'room_joined')).toMatchObject({ type: 'error', message: 'Access denied to room' });
      const control = await clients.as(await staff());
      control.send({ type: 'join_room', room_id: 'support:driver_support' });
      expect(await control.next((f) => f.type === 'error' || f.type === 'room_joined')).toEqual({ type: 'room_joined', room_id: 'support:driver_support' });
    });

    it('refuses rooms that do not exist, support queues included', async () => {
      const control = await clients.as(await staff());
      for (const roomId of ['support:nonsense', 'support:', 'lobby', 'conversation:']) {
        control.send({ type: 'join_room', room_id: roomId });
        const answer = await control.next((f) => f.type === 'error' || f.type === 'room_joined');
        expect(answer, roomId).toMatchObject({ type: 'error', message: `Unknown room: ${roomId}` });
      }
      control.send({ type: 'join_room' });
      expect(await control.next((f) => f.type === 'error' || f.type === 'room_joined')).toMatchObject({ type: 'error', message: 'Room ID required' });
    });
  });

  describe('envelope errors', () => {
    it('answers text that is not a JSON object with {type:"error", message:"Invalid JSON format"}', async () => {
      const client = await clients.as(await staff());
      for (const text of ['not json', '{"type":"ping"', '', '[1,2]', '"ping"', 'null', '42']) {
        client.send(text);
        expect(await client.next((f) => f.type !== 'authenticated'), text).toEqual({ type: 'error', message: 'Invalid JSON format' });
      }
    });

    it('answers a frame without a type with {type:"error", message:"Message type required"}', async () => {
      const client = await clients.as(await staff());
      for (const frame of [{ data: {} }, { type: '' }, { type: 5 }, { type: null }, { type: ['ping'] }]) {
        client.send(frame);
        expect(await client.next((f) => f.type !== 'authenticated'), JSON.stringify(frame)).toMatchObject({ type: 'error', message: 'Message type required' });
      }
    });

    it('answers an unknown type with success:false and "Unknown message type: <type>"', async () => {
      const client = await clients.as(await staff());
      for (const type of ['launch_rockets', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'PING']) {
        const reply = await client.request(type, {});
        expect(reply, type).toMatchObject({ success: false, error: `Unknown message type: ${type}` });
        expect(reply.type).toBeUndefined();
      }
    });
  });
});

