import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

/**
 * A context (`trip:T-1001`, `job:J-7`…) names an object of the host app: only the host app's
 * backend (API key) or a role with `conversations.manage` may create or claim its conversation,
 * and the host's participant list is the truth.
 */
describe('conversations of host objects', () => {
  let server: TestServer;
  const sockets: TestWsClient[] = [];
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(() => server.close());

  const put = (path: string, body: unknown) => server.request('PUT', path, { apiKey: TEST_API_KEY, body });
  const participants = async (id: string) =>
    (await server.request('GET', `/v1/conversations/${id}/participants`, { apiKey: TEST_API_KEY })).body.participants.map((p: { user_id: string; role: string }) => `${p.user_id}:${p.role}`).sort();

  it('refuses a user without conversations.manage a conversation for a host object', async () => {
    const attacker = await server.user(['PASSENGER']);
    for (const context of [{ type: 'trip', id: 'T-1001' }, { type: 'job', id: 'J-7' }, { type: 'ticket', id: 'T-1' }]) {
      const res = await server.request('POST', '/v1/conversations', { token: attacker.token, body: { type: 'general', title: 'Trip chat', context } });
      expect(res.status, context.type).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    const claim = await server.request('PUT', '/v1/conversations/by-context/trip/T-1001', { token: attacker.token, body: { participants: [] } });
    expect(claim.status).toBe(403);
  });

  it('gives the real people of a trip a conversation the attacker who tried to claim it first is not in', async () => {
    const [attacker, driver, passenger] = [await server.user(['PASSENGER']), await server.user(['DRIVER']), await server.user(['PASSENGER'])];
    await server.request('POST', '/v1/conversations', { token: attacker.token, body: { type: 'general', context: { type: 'trip', id: 'T-2002' } } });
    const created = await put('/v1/conversations/by-context/trip/T-2002', { participants: [{ user_id: driver.user.id, role: 'driver' }, { user_id: passenger.user.id, role: 'passenger' }] });
    expect(created.status).toBe(201);
    const id = created.body.conversation.id;
    expect(await participants(id)).toEqual([`${driver.user.id}:driver`, `${passenger.user.id}:passenger`].sort());
    expect((await server.request('GET', `/v1/conversations/${id}/messages`, { token: attacker.token })).status).toBe(404);
  });

  it('lets a conversations.manage holder create one without joining it', async () => {
    const [operator, driver] = [await server.user(['operator']), await server.user(['DRIVER'])];
    const res = await server.request('PUT', '/v1/conversations/by-context/trip/T-3003', { token: operator.token, body: { participants: [{ user_id: driver.user.id, role: 'driver' }] } });
    expect(res.status).toBe(201);
    expect(await participants(res.body.conversation.id)).toEqual([`${driver.user.id}:driver`]);
  });

  it('makes the participants exactly the host\'s list: a cancelled booking loses access at once, live', async () => {
    const [driver, staying, cancelled] = [await server.user(['DRIVER']), await server.user(['PASSENGER']), await server.user(['PASSENGER'])];
    const path = '/v1/conversations/by-context/trip/T-4004';
    const everyone = [{ user_id: driver.user.id, role: 'driver' }, { user_id: staying.user.id, role: 'passenger' }, { user_id: cancelled.user.id, role: 'passenger' }];
    const id = (await put(path, { participants: everyone })).body.conversation.id;
    const socket = await TestWsClient.authenticated(server.url, cancelled.token);
    sockets.push(socket);
    await server.request('POST', `/v1/conversations/${id}/messages`, { token: driver.token, body: { content: 'Leaving at 8' } });
    await socket.next((f) => f.type === 'message_notification' || f.type === 'new_message');

    const updated = await put(path, { participants: everyone.filter((p) => p.user_id !== cancelled.user.id) });
    expect(updated.status).toBe(200);
    expect(await participants(id)).toEqual([`${driver.user.id}:driver`, `${staying.user.id}:passenger`].sort());
    expect(await socket.next((f) => f.type === 'conversation_removed')).toMatchObject({ conversation_id: id });
    await server.request('POST', `/v1/conversations/${id}/messages`, { token: driver.token, body: { content: 'Pickup moved' } });
    await socket.nothing((f) => JSON.stringify(f).includes('Pickup moved'));
    expect((await server.request('GET', `/v1/conversations/${id}/messages`, { token: cancelled.token })).status).toBe(404);
  });

  it('follows the host\'s roles and leaves membership alone when the list is not given', async () => {
    const [driver, passenger] = [await server.user(['DRIVER']), await server.user(['PASSENGER'])];
    const path = '/v1/conversations/by-context/trip/T-5005';
    const id = (await put(path, { participants: [{ user_id: driver.user.id, role: 'driver' }, { user_id: passenger.user.id, role: 'passenger' }] })).body.conversation.id;
    await put(path, { participants: [{ user_id: driver.user.id, role: 'driver' }, { user_id: passenger.user.id, role: 'organizer' }] });
    expect(await participants(id)).toEqual([`${driver.user.id}:driver`, `${passenger.user.id}:organizer`].sort());
    const untouched = await put(path, { title: 'Trip 5005' });
    expect(untouched.status).toBe(200);
    expect(await participants(id)).toEqual([`${driver.user.id}:driver`, `${passenger.user.id}:organizer`].sort());
  });

  it('removes, on the host\'s next list, someone who planted the conversation before the fix', async () => {
    const [attacker, driver] = [await server.user(['PASSENGER']), await server.user(['DRIVER'])];
    // Written as the old code let any user write it: the attacker owns the trip's conversation.
    const planted = await server.services.store.conversations.create({
      type: 'general',
      context: { type: 'trip', id: 'T-6006' },
      title: null,
      metadata: {},
      createdBy: attacker.user.id,
      participants: [{ userId: attacker.user.id, role: 'owner' }],
    });
    const res = await put('/v1/conversations/by-context/trip/T-6006', { participants: [{ user_id: driver.user.id, role: 'driver' }] });
    expect(res.body.conversation.id).toBe(planted.id);
    expect(await participants(planted.id)).toEqual([`${driver.user.id}:driver`]);
    expect((await server.request('GET', `/v1/conversations/${planted.id}/messages`, { token: attacker.token })).status).toBe(404);
  });

  it('refuses an unknown participant before changing anything', async () => {
    const driver = await server.user(['DRIVER']);
    const path = '/v1/conversations/by-context/trip/T-7007';
    const id = (await put(path, { participants: [{ user_id: driver.user.id, role: 'driver' }] })).body.conversation.id;
    const res = await put(path, { participants: [{ user_id: 'nobody-such', role: 'passenger' }] });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('user_not_found');
    expect(await participants(id)).toEqual([`${driver.user.id}:driver`]);
  });
});
