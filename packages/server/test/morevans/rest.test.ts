import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildImage } from '../attachments/sample-files.js';
import { upload } from '../attachments/upload-client.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { namedUser } from '../ws/ws-fixtures.js';
import { MorevansSockets, requestScene, type RequestScene } from './morevans-fixtures.js';

let server: TestServer;
const sockets = new MorevansSockets(() => server);

beforeAll(async () => {
  // The paging test writes 55 messages from one sender, past the default send rate.
  server = await startTestServer({ SEND_RATE_POINTS: '1000' });
});
afterAll(async () => server.close());
afterEach(() => sockets.closeAll());

const send = (who: { token: string }, body: Record<string, unknown>) => server.request('POST', '/api/v1/chat-messages/', { token: who.token, body });

describe('MoreVans chat-rooms', () => {
  let scene: RequestScene;
  beforeAll(async () => {
    scene = await requestScene(server);
  });

  it('lists the caller’s rooms in DRF pages', async () => {
    const res = await server.request('GET', '/api/v1/chat-rooms/', { token: scene.customer.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ count: 1, next: null, previous: null });
    expect(res.body.results[0]).toMatchObject({ id: scene.roomId, room_type: 'request', related_model: 'request', related_id: scene.requestId, is_private: true, is_active: true, unread_count: 0 });
    expect(res.body.results[0].participants_data.map((p: any) => p.id).sort()).toEqual([scene.customer.user.id, scene.provider.user.id].sort());
  });

  it('retrieves a room by id, with or without hyphens; a stranger gets DRF’s 404 as for a missing one', async () => {
    const own = await server.request('GET', `/api/v1/chat-rooms/${scene.roomId.replaceAll('-', '')}/`, { token: scene.provider.token });
    expect(own.status).toBe(200);
    expect(own.body.id).toBe(scene.roomId);
    const foreign = await server.request('GET', `/api/v1/chat-rooms/${scene.roomId}/`, { token: scene.stranger.token });
    const missing = await server.request('GET', '/api/v1/chat-rooms/0190b2c4-0000-7000-8000-000000000000/', { token: scene.stranger.token });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ detail: 'Not found.', code: 'conversation_not_found' });
    expect(missing.body).toEqual(foreign.body);
  });

  it('answers 401 in DRF’s words without a token', async () => {
    const res = await server.request('GET', '/api/v1/chat-rooms/');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Authentication credentials were not provided.', code: 'unauthenticated' });
    const bad = await server.request('GET', '/api/v1/chat-rooms/', { token: 'nope' });
    expect(bad.body.detail).toBe('Given token not valid for any token type');
  });

  it('finds a room by context for its participants, and an empty list for anyone else or no room', async () => {
    const mine = await server.request('GET', `/api/v1/chat-rooms/by_context/?type=request&id=${scene.requestId}`, { token: scene.customer.token });
    expect(mine.body.map((r: any) => r.id)).toEqual([scene.roomId]);
    const theirs = await server.request('GET', `/api/v1/chat-rooms/by_context/?type=request&id=${scene.requestId}`, { token: scene.stranger.token });
    const none = await server.request('GET', '/api/v1/chat-rooms/by_context/?type=request&id=R-none', { token: scene.stranger.token });
    expect(theirs.status).toBe(200);
    expect(theirs.body).toEqual([]);
    expect(none.body).toEqual(theirs.body);
    const invalid = await server.request('GET', '/api/v1/chat-rooms/by_context/?type=request', { token: scene.customer.token });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error).toMatch(/^Validation failed/);
  });

  it('create_or_get/ gives a registered participant the room and refuses to create one for anyone else', async () => {
    const got = await server.request('POST', '/api/v1/chat-rooms/create_or_get/', { token: scene.provider.token, body: { room_type: 'request', related_id: scene.requestId } });
    expect(got.status).toBe(200);
    expect(got.body.id).toBe(scene.roomId);
    // A context is the host app's: without its registration (or access check) there is no room to squat.
    const squat = await server.request('POST', '/api/v1/chat-rooms/create_or_get/', { token: scene.stranger.token, body: { related_model: 'bid', related_id: 'B-squat' } });
    const theirs = await server.request('POST', '/api/v1/chat-rooms/create_or_get/', { token: scene.stranger.token, body: { related_model: 'request', related_id: scene.requestId } });
    expect(squat.status).toBe(404);
    expect(theirs.body).toEqual(squat.body);
    expect((await server.request('GET', '/api/v1/chat-rooms/by_context/?type=bid&id=B-squat', { apiKey: TEST_API_KEY })).body).toEqual([]);
  });

  it('lets users create general rooms with people their role may start with, and refuses host-object rooms to them', async () => {
    const created = await server.request('POST', '/api/v1/chat-rooms/', { token: scene.customer.token, body: { name: 'Moving day', room_type: 'provider_customer', participants_ids: [scene.provider.user.id] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: 'Moving day', room_type: 'provider_customer', related_model: null });
    const squat = await server.request('POST', '/api/v1/chat-rooms/', { token: scene.customer.token, body: { room_type: 'request', related_id: 'R-squat', participants_ids: [] } });
    expect(squat.status).toBe(403);
    expect(squat.body).toMatchObject({ error: expect.stringContaining('host app'), code: 'forbidden' });
    const byHost = await server.request('POST', '/api/v1/chat-rooms/', { apiKey: TEST_API_KEY, body: { room_type: 'bidding', related_id: 'B-1', participants_ids: [scene.customer.user.id, scene.provider.user.id] } });
    expect(byHost.status).toBe(201);
    expect(byHost.body).toMatchObject({ room_type: 'bidding', related_model: 'bid', related_id: 'B-1' });
    const invalid = await server.request('POST', '/api/v1/chat-rooms/', { token: scene.customer.token, body: { room_type: 'party' } });
    expect(invalid.status).toBe(422);
  });

  it('opens a support room as a case its queue’s staff reach', async () => {
    const staff = await namedUser(server, ['morevans_support'], 'Max', 'Vans');
    const created = await server.request('POST', '/api/v1/chat-rooms/', { token: scene.customer.token, body: { name: 'Broken sofa', room_type: 'support' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.room_type).toBe('support');
    const seen = await server.request('GET', `/api/v1/chat-rooms/${created.body.id}/`, { token: staff.token });
    expect(seen.status).toBe(200);
    const outsider = await server.request('GET', `/api/v1/chat-rooms/${created.body.id}/`, { token: scene.provider.token });
    expect(outsider.status).toBe(404);
  });

  it('adds and removes participants for the room’s owner; others are refused', async () => {
    const extra = await namedUser(server, ['provider'], 'Eve', 'Extra');
    const room = await server.request('POST', '/api/v1/chat-rooms/', { token: scene.customer.token, body: { room_type: 'general', participants_ids: [] } });
    const id = room.body.id as string;
    const added = await server.request('POST', `/api/v1/chat-rooms/${id}/add_participant/`, { token: scene.customer.token, body: { user_id: extra.user.id } });
    expect(added.body).toEqual({ status: 'Participant added', user_id: extra.user.id });
    const refused = await server.request('POST', `/api/v1/chat-rooms/${id}/remove_participant/`, { token: extra.token, body: { user_id: scene.customer.user.id } });
    expect(refused.status).toBe(403);
    // The service's own reason is the view's {"error"}; DRF's bare permission text is for reasonless refusals.
    expect(refused.body).toEqual({ error: 'Only the conversation owner or a manager can do this', code: 'forbidden' });
    const removed = await server.request('POST', `/api/v1/chat-rooms/${id}/remove_participant/`, { token: scene.customer.token, body: { user_id: extra.user.id } });
    expect(removed.body).toEqual({ status: 'Participant removed', user_id: extra.user.id });
    expect((await server.request('GET', `/api/v1/chat-rooms/${id}/`, { token: extra.token })).status).toBe(404);
  });
});

describe('MoreVans chat-messages', () => {
  it('lets a customer and a provider chat over REST while the per-room socket hears it', async () => {
    const scene = await requestScene(server);
    const live = await sockets.room(scene.provider, scene.roomId);
    const sent = await send(scene.customer, { chat_room: scene.roomId, content: 'Hello, how is the delivery going?', message_type: 'text' });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ chat_room: scene.roomId, content: 'Hello, how is the delivery going?', message_type: 'text', is_read: true });
    expect((await live.next((f) => f.type === 'chat_message')).message.id).toBe(sent.body.id);
    const reply = await send(scene.provider, { chat_room: scene.roomId.replaceAll('-', ''), content: 'On the M62', reply_to: sent.body.id });
    expect(reply.body).toMatchObject({ reply_to: sent.body.id, reply_to_message: { id: sent.body.id, content: 'Hello, how is the delivery going?' } });
    expect((await server.request('GET', '/api/v1/chat-messages/unread_count/', { token: scene.customer.token })).body).toEqual({ unread_count: 1 });
  });

  it('pages a room’s messages 50 at a time, oldest first, page_size at most 100', async () => {
    const scene = await requestScene(server);
    for (let i = 1; i <= 55; i++) expect((await send(scene.customer, { chat_room: scene.roomId, content: `m${i}` })).status).toBe(201);
    const first = await server.request('GET', `/api/v1/chat-messages/?chat_room=${scene.roomId}`, { token: scene.provider.token });
    expect(first.body).toMatchObject({ count: 55, previous: null });
    expect(first.body.results).toHaveLength(50);
    expect(first.body.results[0].content).toBe('m1');
    expect(first.body.next).toMatch(/page=2/);
    const second = await server.request('GET', new URL(first.body.next).pathname + new URL(first.body.next).search, { token: scene.provider.token });
    expect(second.body.results.map((m: any) => m.content)).toEqual(['m51', 'm52', 'm53', 'm54', 'm55']);
    expect(second.body.next).toBeNull();
    expect(second.body.previous).toMatch(/chat_room=/);
    const small = await server.request('GET', `/api/v1/chat-messages/by_room/?room_id=${scene.roomId}&page_size=10&page=6`, { token: scene.provider.token });
    expect(small.body.results.map((m: any) => m.content)).toEqual(['m51', 'm52', 'm53', 'm54', 'm55']);
    expect((await server.request('GET', `/api/v1/chat-messages/?chat_room=${scene.roomId}&page_size=101`, { token: scene.provider.token })).status).toBe(422);
    const past = await server.request('GET', `/api/v1/chat-messages/?chat_room=${scene.roomId}&page=3`, { token: scene.provider.token });
    expect(past.status).toBe(404);
    expect(past.body).toEqual({ detail: 'Invalid page.', code: 'not_found' });
    const noRoom = await server.request('GET', '/api/v1/chat-messages/', { token: scene.provider.token });
    expect(noRoom.status).toBe(422);
    expect(noRoom.body).toMatchObject({ error: 'room_id is required', code: 'validation_failed' });
  });

  it('marks one message, then several, as read', async () => {
    const scene = await requestScene(server);
    const a = (await send(scene.customer, { chat_room: scene.roomId, content: 'one' })).body;
    const b = (await send(scene.customer, { chat_room: scene.roomId, content: 'two' })).body;
    const c = (await send(scene.customer, { chat_room: scene.roomId, content: 'three' })).body;
    const one = await server.request('POST', `/api/v1/chat-messages/${a.id}/mark_as_read/`, { token: scene.provider.token });
    expect(one.body).toEqual({ status: 'Message marked as read', chat_room: scene.roomId });
    expect((await server.request('GET', '/api/v1/chat-messages/unread_count/', { token: scene.provider.token })).body).toEqual({ unread_count: 2 });
    const bulk = await server.request('POST', '/api/v1/chat-messages/bulk_mark_as_read/', { token: scene.provider.token, body: { message_ids: [b.id, c.id.replaceAll('-', '').toUpperCase(), 'no-such-message'] } });
    expect(bulk.body).toEqual({ status: 'Messages marked as read', marked_count: 2 });
    expect((await server.request('GET', '/api/v1/chat-messages/unread_count/', { token: scene.provider.token })).body).toEqual({ unread_count: 0 });
    const page = await server.request('GET', `/api/v1/chat-messages/by_room/?room_id=${scene.roomId}`, { token: scene.provider.token });
    expect(page.body.results.map((m: any) => m.is_read)).toEqual([true, true, true]);
    // Someone else's message is not found, as a missing one is.
    const foreign = await server.request('POST', `/api/v1/chat-messages/${a.id}/mark_as_read/`, { token: scene.stranger.token });
    const missing = await server.request('POST', '/api/v1/chat-messages/0190b2c4-0000-7000-8000-000000000000/mark_as_read/', { token: scene.stranger.token });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
  });

  it('sends an attachment by upload id, as an image when its bytes are one', async () => {
    const scene = await requestScene(server);
    const up = await upload(server, scene.customer.token, [{ name: 'sofa.png', bytes: await buildImage('png', 32, 32) }]);
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const id = (up.body.uploads ?? up.body.attachments)[0].id;
    const sent = await send(scene.customer, { chat_room: scene.roomId, content: '', attachment: id });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body).toMatchObject({ message_type: 'image', attachment: expect.stringContaining(id), attachment_name: 'sofa.png' });
  });

  it('answers a send’s mistakes in {"error": ...}, and a stranger’s as DRF’s 404', async () => {
    const scene = await requestScene(server);
    const empty = await send(scene.customer, { chat_room: scene.roomId, content: ' ' });
    expect(empty.status).toBe(422);
    expect(empty.body).toEqual({ error: 'Message content cannot be empty', code: 'validation_failed' });
    const badReply = await send(scene.customer, { chat_room: scene.roomId, content: 'x', reply_to: 'nope' });
    expect(badReply.status).toBe(422);
    const stranger = await send(scene.stranger, { chat_room: scene.roomId, content: 'let me in' });
    expect(stranger.status).toBe(404);
    expect(stranger.body).toEqual({ detail: 'Not found.', code: 'conversation_not_found' });
    const schema = await send(scene.customer, { content: 'no room' });
    expect(schema.status).toBe(422);
    expect(schema.body.error).toMatch(/^Validation failed/);
  });

  it('is in the OpenAPI document, with the host app’s events route', async () => {
    const res = await server.request('GET', '/docs/json');
    expect(res.status).toBe(200);
    for (const path of ['/api/v1/chat-rooms/', '/api/v1/chat-rooms/create_or_get/', '/api/v1/chat-messages/', '/api/v1/chat-messages/unread_count/', '/api/v1/chat/status/', '/v1/conversations/by-context/{type}/{id}/events']) {
      expect(res.body.paths, path).toHaveProperty([path]);
    }
  });

  it('reports the chat system’s status for the caller', async () => {
    const scene = await requestScene(server);
    const res = await server.request('GET', '/api/v1/chat/status/', { token: scene.customer.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'online', user_id: scene.customer.user.id, total_rooms: 1, active_rooms: 1, unread_count: 0 });
  });
});
