import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';
import { namedUser, restHistory } from '../ws/ws-fixtures.js';
import { MorevansSockets, requestScene, type RequestScene } from './morevans-fixtures.js';

let server: TestServer;
const sockets = new MorevansSockets(() => server);
const natives: TestWsClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());
afterEach(() => {
  sockets.closeAll();
  for (const c of natives.splice(0)) c.ws.terminate();
});

const bidUpdate = (scene: RequestScene) => ({ kind: 'bid_update', content: 'Bid accepted: £420', data: { bid_id: 'B-77', action: 'accepted', amount: 420, request_id: scene.requestId } });

describe('the notifications socket /ws/notifications/', () => {
  let scene: RequestScene;
  beforeAll(async () => {
    scene = await requestScene(server);
  });

  it('closes with 4001 for a bad token', async () => {
    const client = await sockets.raw('/ws/notifications/', 'nope');
    expect((await client.waitClose()).code).toBe(4001);
  });

  it('answers ping, and anything else as an unknown message type', async () => {
    const notices = await sockets.notifications(scene.customer);
    notices.send({ type: 'chat_message', content: 'not here' });
    expect(await notices.next((f) => f.type === 'error')).toEqual({ type: 'error', message: 'Unknown message type: chat_message' });
    notices.send({ content: 'no type' });
    expect(await notices.next((f) => f.type === 'error')).toEqual({ type: 'error', message: 'Unknown message type: None' });
  });

  it('tells a participant who is elsewhere chat_notification {chat_room_id, message, sender}', async () => {
    const notices = await sockets.notifications(scene.provider);
    const customer = await sockets.room(scene.customer, scene.roomId);
    customer.send({ type: 'chat_message', content: 'Are you free on Friday?' });
    const notice = await notices.next((f) => f.type === 'chat_notification');
    expect(notice).toMatchObject({
      type: 'chat_notification',
      chat_room_id: scene.roomId,
      message: { content: 'Are you free on Friday?', sender: scene.customer.user.id, chat_room: scene.roomId },
      sender: { id: scene.customer.user.id, first_name: 'Mia', last_name: 'Mover' },
    });
  });

  it('stays quiet for the room the user has open, and for the user’s own messages', async () => {
    const notices = await sockets.notifications(scene.provider);
    const customerNotices = await sockets.notifications(scene.customer);
    const providerRoom = await sockets.room(scene.provider, scene.roomId);
    const customer = await sockets.room(scene.customer, scene.roomId);
    customer.send({ type: 'chat_message', content: 'You are in the room already' });
    // Delivered to the room (so rendered and fanned out), yet no notification beside it.
    await providerRoom.next((f) => f.type === 'chat_message' && f.message.content === 'You are in the room already');
    await notices.nothing((f) => f.type === 'chat_notification', 300);
    await customerNotices.nothing((f) => f.type === 'chat_notification', 10);
  });

  it('tells nobody outside the room', async () => {
    const notices = await sockets.notifications(scene.stranger);
    const providerNotices = await sockets.notifications(scene.provider);
    const res = await server.request('POST', '/api/v1/chat-messages/', { token: scene.customer.token, body: { chat_room: scene.roomId, content: 'private' } });
    expect(res.status).toBe(201);
    await providerNotices.next((f) => f.type === 'chat_notification' && f.message.content === 'private');
    await notices.nothing((f) => f.type === 'chat_notification', 300);
  });
});

describe('business events from the host app: POST /v1/conversations/by-context/{type}/{id}/events', () => {
  it('writes a system message with its system_data that every transport shows, and notifies every participant', async () => {
    const scene = await requestScene(server);
    const room = await sockets.room(scene.customer, scene.roomId);
    const notices = await sockets.notifications(scene.provider);
    const native = await TestWsClient.authenticated(server.url, scene.provider.token);
    natives.push(native);
    const res = await server.request('POST', `/v1/conversations/by-context/request/${scene.requestId}/events`, { apiKey: TEST_API_KEY, body: bidUpdate(scene) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ conversation_id: scene.roomId, created: false, message: { kind: 'system', sender_id: null, content: 'Bid accepted: £420', metadata: { event_kind: 'bid_update', system_data: bidUpdate(scene).data } } });

    const system = await room.next((f) => f.type === 'system_message');
    expect(system.message).toMatchObject({ chat_room: scene.roomId, sender: null, sender_data: null, content: 'Bid accepted: £420', message_type: 'bid_update', system_data: bidUpdate(scene).data });
    const notice = await notices.next((f) => f.type === 'system_notification');
    expect(notice).toMatchObject({ type: 'system_notification', chat_room_id: scene.roomId, message: { message_type: 'bid_update', system_data: bidUpdate(scene).data } });
    // The native WebSocket tells a participant outside the room as it tells of any message.
    expect(await native.next((f) => f.type === 'message_notification')).toMatchObject({ conversation_id: scene.roomId, preview: 'Bid accepted: £420' });
    // And it is in the history, on MoreVans' REST and on v1.
    const page = await server.request('GET', `/api/v1/chat-messages/by_room/?room_id=${scene.roomId}`, { token: scene.provider.token });
    expect(page.body.results.at(-1)).toMatchObject({ message_type: 'bid_update', system_data: bidUpdate(scene).data, content: 'Bid accepted: £420' });
    expect((await restHistory(server, scene.customer, scene.roomId)).at(-1)).toMatchObject({ kind: 'system', metadata: { event_kind: 'bid_update' } });
  });

  it('creates the room from the participants it names when the object has none, and leaves an existing room’s people alone', async () => {
    const customer = await namedUser(server, ['morevans_customer'], 'Jo', 'Job');
    const provider = await namedUser(server, ['provider'], 'Pat', 'Vans');
    const jobId = `J-${process.pid}`;
    const body = { kind: 'status_update', content: 'Job is in transit', data: { status: 'in_transit' }, participants: [{ user_id: customer.user.id, role: 'customer' }, { user_id: provider.user.id, role: 'provider' }] };
    const created = await server.request('POST', `/v1/conversations/by-context/job/${jobId}/events`, { apiKey: TEST_API_KEY, body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.created).toBe(true);
    const again = await server.request('POST', `/v1/conversations/by-context/job/${jobId}/events`, { apiKey: TEST_API_KEY, body: { ...body, content: 'Delivered', participants: [{ user_id: customer.user.id }] } });
    expect(again.body).toMatchObject({ created: false, conversation_id: created.body.conversation_id });
    const room = await server.request('GET', `/api/v1/chat-rooms/${created.body.conversation_id}/`, { token: provider.token });
    expect(room.status).toBe(200);
    expect(room.body).toMatchObject({ room_type: 'job', related_model: 'job', related_id: jobId });
    expect([...room.body.participants].sort()).toEqual([customer.user.id, provider.user.id].sort());
  });

  it('is the host app’s alone: a user token is refused, nothing is written', async () => {
    const scene = await requestScene(server);
    const res = await server.request('POST', `/v1/conversations/by-context/request/${scene.requestId}/events`, { token: scene.customer.token, body: bidUpdate(scene) });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(await restHistory(server, scene.customer, scene.roomId)).toEqual([]);
  });

  it('refuses a kind it does not know and an empty content with 422', async () => {
    const scene = await requestScene(server);
    for (const body of [{ ...bidUpdate(scene), kind: 'text' }, { ...bidUpdate(scene), content: '' }, { ...bidUpdate(scene), extra: 1 }]) {
      const res = await server.request('POST', `/v1/conversations/by-context/request/${scene.requestId}/events`, { apiKey: TEST_API_KEY, body });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });

  it('never lets a client write a system message: message_type system is refused on REST', async () => {
    const scene = await requestScene(server);
    const res = await server.request('POST', '/api/v1/chat-messages/', { token: scene.customer.token, body: { chat_room: scene.roomId, content: 'I am the system', message_type: 'system' } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: expect.stringMatching(/^Validation failed/), code: 'validation_failed' });
  });
});
