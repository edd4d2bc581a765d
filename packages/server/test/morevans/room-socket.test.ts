import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { restHistory } from '../ws/ws-fixtures.js';
import { MorevansSockets, requestScene, type RequestScene } from './morevans-fixtures.js';

let server: TestServer;
const sockets = new MorevansSockets(() => server);

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());
afterEach(() => sockets.closeAll());

describe('the per-room socket /ws/chat/{room_id}/', () => {
  let scene: RequestScene;
  beforeAll(async () => {
    scene = await requestScene(server);
  });

  it('closes with 4001 for a bad token and for none, after the upgrade', async () => {
    const bad = await sockets.raw(`/ws/chat/${scene.roomId}/`, 'not-a-token');
    expect((await bad.waitClose()).code).toBe(4001);
    const none = await sockets.raw(`/ws/chat/${scene.roomId}/`, undefined);
    expect((await none.waitClose()).code).toBe(4001);
    expect(bad.frames).toEqual([]);
  });

  it('closes with 4003 for a room that is not the user’s, exactly as for one that does not exist', async () => {
    const foreign = await sockets.raw(`/ws/chat/${scene.roomId}/`, scene.stranger.token);
    const missing = await sockets.raw('/ws/chat/0190b2c4-0000-7000-8000-000000000000/', scene.stranger.token);
    const [a, b] = await Promise.all([foreign.waitClose(), missing.waitClose()]);
    expect(a).toEqual({ code: 4003, reason: 'Not a participant' });
    expect(b).toEqual(a);
  });

  it('accepts the room id without hyphens and in capitals', async () => {
    const client = await sockets.room(scene.customer, scene.roomId.replaceAll('-', '').toUpperCase());
    client.send({ type: 'chat_message', content: 'hyphenless hello' });
    const frame = await client.next((f) => f.type === 'chat_message');
    expect(frame.message.chat_room).toBe(scene.roomId);
  });

  it('answers ping with pong, echoing the timestamp', async () => {
    const client = await sockets.room(scene.customer, scene.roomId);
    client.send({ type: 'ping', timestamp: '2024-01-01T00:00:00Z' });
    expect(await client.next((f) => f.type === 'pong')).toMatchObject({ type: 'pong', timestamp: '2024-01-01T00:00:00Z' });
  });

  it('tells the others user_joined and user_left, not the one who came and went', async () => {
    const provider = await sockets.room(scene.provider, scene.roomId);
    const customer = await sockets.room(scene.customer, scene.roomId);
    expect(await provider.next((f) => f.type === 'user_joined')).toEqual({ type: 'user_joined', user: `Test ${scene.customer.user.id}`, user_id: scene.customer.user.id });
    customer.close();
    expect(await provider.next((f) => f.type === 'user_left')).toEqual({ type: 'user_left', user: `Test ${scene.customer.user.id}`, user_id: scene.customer.user.id });
    await customer.nothing((f) => f.type === 'user_joined' && f.user_id === scene.customer.user.id, 100);
  });

  it('sends chat_message {message} to the whole room, sender included, with the documented fields and string ids', async () => {
    const customer = await sockets.room(scene.customer, scene.roomId);
    const provider = await sockets.room(scene.provider, scene.roomId);
    customer.send({ type: 'chat_message', content: 'When can you come?', reply_to: null });
    const [mine, theirs] = await Promise.all([customer.next((f) => f.type === 'chat_message'), provider.next((f) => f.type === 'chat_message')]);
    expect(theirs).toEqual(mine);
    expect(mine.message).toMatchObject({
      id: expect.any(String),
      chat_room: scene.roomId,
      sender: scene.customer.user.id,
      content: 'When can you come?',
      message_type: 'text',
      attachment: null,
      reply_to: null,
      system_data: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      sender_data: { id: scene.customer.user.id, username: `Test ${scene.customer.user.id}`, first_name: 'Mia', last_name: 'Mover' },
      is_read: false,
      reply_to_message: null,
    });
    // Stored once, through the message service: REST history has it with its seq.
    const history = await restHistory(server, scene.provider, scene.roomId);
    expect(history.filter((m) => m.id === mine.message.id)).toHaveLength(1);
  });

  it('carries reply_to and the message replied to', async () => {
    const provider = await sockets.room(scene.provider, scene.roomId);
    provider.send({ type: 'chat_message', content: 'Tomorrow at 9' });
    const first = await provider.next((f) => f.type === 'chat_message' && f.message.content === 'Tomorrow at 9');
    provider.send({ type: 'chat_message', content: 'Or 10', reply_to: first.message.id });
    const reply = await provider.next((f) => f.type === 'chat_message' && f.message.content === 'Or 10');
    expect(reply.message.reply_to).toBe(first.message.id);
    expect(reply.message.reply_to_message).toMatchObject({ id: first.message.id, content: 'Tomorrow at 9', sender: scene.provider.user.id });
  });

  it('sends typing_indicator to the others only', async () => {
    const customer = await sockets.room(scene.customer, scene.roomId);
    const provider = await sockets.room(scene.provider, scene.roomId);
    customer.send({ type: 'typing', is_typing: true });
    expect(await provider.next((f) => f.type === 'typing_indicator')).toEqual({ type: 'typing_indicator', user: `Test ${scene.customer.user.id}`, user_id: scene.customer.user.id, is_typing: true });
    customer.send({ type: 'typing', is_typing: false });
    expect(await provider.next((f) => f.type === 'typing_indicator')).toMatchObject({ is_typing: false });
    await customer.nothing((f) => f.type === 'typing_indicator');
  });

  it('moves the read pointer on mark_read and tells the others messages_read {user_id, message_ids}', async () => {
    const customer = await sockets.room(scene.customer, scene.roomId);
    const provider = await sockets.room(scene.provider, scene.roomId);
    provider.send({ type: 'chat_message', content: 'Read me' });
    const sent = await customer.next((f) => f.type === 'chat_message' && f.message.content === 'Read me');
    customer.send({ type: 'mark_read', message_ids: [sent.message.id] });
    expect(await provider.next((f) => f.type === 'messages_read')).toMatchObject({ type: 'messages_read', user_id: scene.customer.user.id, message_ids: [sent.message.id] });
    const unread = await server.request('GET', '/api/v1/chat-messages/unread_count/', { token: scene.customer.token });
    expect(unread.body).toEqual({ unread_count: 0 });
  });

  it('answers the documented errors in {"type":"error","message"}', async () => {
    const client = await sockets.room(scene.customer, scene.roomId);
    client.send('{not json');
    expect(await client.next((f) => f.type === 'error')).toEqual({ type: 'error', message: 'Invalid JSON format' });
    client.send({ type: 'dance' });
    expect(await client.next((f) => f.type === 'error')).toEqual({ type: 'error', message: 'Unknown message type: dance' });
    client.send({ type: 'chat_message', content: '   ' });
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ type: 'error', message: 'Message content cannot be empty', code: 'validation_failed' });
    client.send({ type: 'chat_message' });
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ message: 'Message content cannot be empty' });
    client.send({ type: 'typing', is_typing: 'yes' });
    expect((await client.next((f) => f.type === 'error')).message).toMatch(/^Invalid typing data: /);
    // Still open and serving after every refusal.
    client.send({ type: 'ping', timestamp: 1 });
    expect(await client.next((f) => f.type === 'pong')).toMatchObject({ timestamp: 1 });
  });

  it('closes a participant’s room socket with 4003 when the host app removes them', async () => {
    const requestScene2 = await requestScene(server);
    const provider = await sockets.room(requestScene2.provider, requestScene2.roomId);
    const res = await server.request('PUT', `/v1/conversations/by-context/request/${requestScene2.requestId}`, {
      apiKey: 'test-api-key-0123456789abcdef',
      body: { participants: [{ user_id: requestScene2.customer.user.id, role: 'customer' }] },
    });
    expect(res.status).toBe(200);
    expect((await provider.waitClose()).code).toBe(4003);
  });
});
