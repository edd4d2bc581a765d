import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';

describe('conversations over REST', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const create = (token: string, body: unknown) => server.request('POST', '/v1/conversations', { token, body });

  it('creates a conversation with the caller as owner and lists it for every participant', async () => {
    const staff = await server.user(['CONTROL_STAFF']);
    const driver = await server.user(['BUS_DRIVER']);
    const res = await create(staff.token, { type: 'general', title: 'Shift', participant_ids: [driver.user.id] });
    expect(res.status).toBe(201);
    expect(res.body.conversation).toMatchObject({ type: 'general', title: 'Shift', last_seq: 0, created_by: staff.user.id });
    const id = res.body.conversation.id;

    const detail = await server.request('GET', `/v1/conversations/${id}`, { token: driver.token });
    expect(detail.status).toBe(200);
    expect(detail.body.conversation.participants.map((p: { user_id: string; role: string }) => [p.user_id, p.role]).sort()).toEqual(
      [[driver.user.id, 'member'], [staff.user.id, 'owner']].sort(),
    );
    const list = await server.request('GET', '/v1/conversations', { token: driver.token });
    expect(list.body.conversations.map((c: { id: string }) => c.id)).toEqual([id]);
  });

  it('lists conversations newest activity first with unread counts and the last message', async () => {
    const staff = await server.user(['CONTROL_STAFF']);
    const other = await server.user(['CONTROL_STAFF']);
    const a = (await create(staff.token, { participant_ids: [other.user.id], title: 'A' })).body.conversation.id;
    const b = (await create(staff.token, { participant_ids: [other.user.id], title: 'B' })).body.conversation.id;
    for (const text of ['one', 'two', 'three']) {
      await server.request('POST', `/v1/conversations/${a}/messages`, { token: staff.token, body: { content: text } });
    }
    const list = await server.request('GET', '/v1/conversations', { token: other.token });
    expect(list.status).toBe(200);
    const [first, second] = list.body.conversations;
    expect(first).toMatchObject({ id: a, unread_count: 3, last_message: { content: 'three', seq: 3 } });
    expect(second).toMatchObject({ id: b, unread_count: 0, last_message: null });
    const mine = await server.request('GET', '/v1/conversations', { token: staff.token });
    expect(mine.body.conversations[0]).toMatchObject({ id: a, unread_count: 0 });
  });

  it('pages the conversation list with next_before', async () => {
    const staff = await server.user(['CONTROL_STAFF']);
    const other = await server.user(['CONTROL_STAFF']);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await create(staff.token, { participant_ids: [other.user.id], title: `P${i}` })).body.conversation.id);
      await new Promise((r) => setTimeout(r, 5));
    }
    const page1 = await server.request('GET', '/v1/conversations?limit=2', { token: other.token });
    expect(page1.body.conversations.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]]);
    const page2 = await server.request('GET', `/v1/conversations?limit=2&before=${encodeURIComponent(page1.body.next_before)}`, { token: other.token });
    expect(page2.body.conversations.map((c: { id: string }) => c.id)).toEqual([ids[0]]);
    expect(page2.body.next_before).toBeNull();
  });

  it('returns the existing direct conversation between two users instead of a second one', async () => {
    const a = await server.user(['morevans_customer']);
    const b = await server.user(['provider']);
    const first = await create(a.token, { type: 'direct', participant_ids: [b.user.id] });
    const again = await create(b.token, { type: 'direct', participant_ids: [a.user.id] });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.conversation.id).toBe(first.body.conversation.id);
  });

  it('applies the policy: a bus driver may not start a conversation with another driver', async () => {
    const driver = await server.user(['BUS_DRIVER']);
    const otherDriver = await server.user(['BUS_DRIVER']);
    const res = await create(driver.token, { type: 'support', participant_ids: [otherDriver.user.id] });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    const general = await create(driver.token, { type: 'general', participant_ids: [] });
    expect(general.status).toBe(403);
  });

  it('answers 404 with user_not_found for unknown participants and writes nothing', async () => {
    const staff = await server.user(['CONTROL_STAFF']);
    const res = await create(staff.token, { participant_ids: ['no-such-user'] });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'user_not_found', details: { user_ids: ['no-such-user'] } });
    const list = await server.request('GET', '/v1/conversations', { token: staff.token });
    expect(list.body.conversations).toEqual([]);
  });

  it('answers a non-participant reading it, its messages or its participants exactly as for an unknown id (404)', async () => {
    const staff = await server.user(['CONTROL_STAFF']);
    const outsider = await server.user(['customer']);
    const id = (await create(staff.token, {})).body.conversation.id;
    for (const path of [`/v1/conversations/${id}`, `/v1/conversations/${id}/messages`, `/v1/conversations/${id}/participants`]) {
      const res = await server.request('GET', path, { token: outsider.token });
      const unknown = await server.request('GET', path.replace(id, 'no-such-conversation'), { token: outsider.token });
      expect(res.status, path).toBe(404);
      expect(res.body, path).toEqual(unknown.body);
      expect(res.body.error.code).toBe('conversation_not_found');
    }
    const missing = await server.request('GET', '/v1/conversations/does-not-exist', { token: staff.token });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('conversation_not_found');
  });

  it('lets a monitoring role read without joining, but not write (403 not_participant: it may know the conversation exists)', async () => {
    const staff = await server.user(['CONTROL_STAFF']);
    const monitor = await server.user(['operator']);
    const id = (await create(staff.token, {})).body.conversation.id;
    expect((await server.request('GET', `/v1/conversations/${id}/messages`, { token: monitor.token })).status).toBe(200);
    const write = await server.request('POST', `/v1/conversations/${id}/messages`, { token: monitor.token, body: { content: 'hi' } });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('not_participant');
  });

  it('adds and removes participants; only owners and managers may add', async () => {
    const owner = await server.user(['CONTROL_STAFF']);
    const member = await server.user(['CONTROL_STAFF']);
    const newcomer = await server.user(['CONTROL_STAFF']);
    const id = (await create(owner.token, { participant_ids: [member.user.id] })).body.conversation.id;

    const denied = await server.request('POST', `/v1/conversations/${id}/participants`, { token: member.token, body: { user_id: newcomer.user.id } });
    expect(denied.status).toBe(403);
    const added = await server.request('POST', `/v1/conversations/${id}/participants`, { token: owner.token, body: { user_id: newcomer.user.id } });
    expect(added.status).toBe(201);
    const again = await server.request('POST', `/v1/conversations/${id}/participants`, { token: owner.token, body: { user_id: newcomer.user.id } });
    expect(again.status).toBe(200);
    expect((await server.request('GET', `/v1/conversations/${id}`, { token: newcomer.token })).status).toBe(200);

    expect((await server.request('DELETE', `/v1/conversations/${id}/participants/${newcomer.user.id}`, { token: member.token })).status).toBe(403);
    expect((await server.request('DELETE', `/v1/conversations/${id}/participants/${newcomer.user.id}`, { token: owner.token })).status).toBe(204);
    expect((await server.request('GET', `/v1/conversations/${id}`, { token: newcomer.token })).status).toBe(404);
    expect((await server.request('DELETE', `/v1/conversations/${id}/participants/${newcomer.user.id}`, { token: owner.token })).status).toBe(404);

    // Anyone may leave.
    expect((await server.request('DELETE', `/v1/conversations/${id}/participants/${member.user.id}`, { token: member.token })).status).toBe(204);
    expect((await server.request('GET', `/v1/conversations/${id}`, { token: member.token })).status).toBe(404);
  });

  it('creates or fetches the conversation of a host object by context with an API key', async () => {
    const driver = await server.user(['DRIVER']);
    const passenger = await server.user(['PASSENGER']);
    const path = '/v1/conversations/by-context/trip/trip-42';
    const first = await server.request('PUT', path, { apiKey: TEST_API_KEY, body: { title: 'Trip 42', participants: [{ user_id: driver.user.id, role: 'driver' }] } });
    expect(first.status).toBe(201);
    expect(first.body.conversation).toMatchObject({ type: 'trip', context: { type: 'trip', id: 'trip-42' }, title: 'Trip 42' });
    const second = await server.request('PUT', path, { apiKey: TEST_API_KEY, body: { participants: [{ user_id: driver.user.id, role: 'driver' }, { user_id: passenger.user.id, role: 'passenger' }] } });
    expect(second.status).toBe(200);
    expect(second.body.conversation.id).toBe(first.body.conversation.id);

    const fetched = await server.request('GET', path, { token: passenger.token });
    expect(fetched.body.conversation.id).toBe(first.body.conversation.id);
    const participants = await server.request('GET', `/v1/conversations/${first.body.conversation.id}/participants`, { token: driver.token });
    expect(participants.body.participants.map((p: { role: string }) => p.role).sort()).toEqual(['driver', 'passenger']);

    const outsider = await server.user(['PASSENGER']);
    expect((await server.request('GET', path, { token: outsider.token })).status).toBe(404);
    expect((await server.request('PUT', path, { token: outsider.token, body: {} })).status).toBe(403);
    expect((await server.request('GET', '/v1/conversations/by-context/trip/unknown', { apiKey: TEST_API_KEY })).status).toBe(404);
  });

  it('rejects a second conversation for a taken context with 409', async () => {
    const manager = await server.user(['operator']);
    const body = { context: { type: 'ticket', id: 'T-1' } };
    expect((await create(manager.token, body)).status).toBe(201);
    const again = await create(manager.token, body);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('context_taken');
  });

  it('lets the owner rename and close a conversation; sending to a closed one is refused', async () => {
    const owner = await server.user(['CONTROL_STAFF']);
    const member = await server.user(['CONTROL_STAFF']);
    const id = (await create(owner.token, { participant_ids: [member.user.id] })).body.conversation.id;
    expect((await server.request('PATCH', `/v1/conversations/${id}`, { token: member.token, body: { status: 'closed' } })).status).toBe(403);
    const patched = await server.request('PATCH', `/v1/conversations/${id}`, { token: owner.token, body: { title: 'Renamed', status: 'closed' } });
    expect(patched.body.conversation).toMatchObject({ title: 'Renamed', status: 'closed' });
    const send = await server.request('POST', `/v1/conversations/${id}/messages`, { token: member.token, body: { content: 'late' } });
    expect(send.status).toBe(409);
    expect(send.body.error.code).toBe('conversation_closed');
  });
});
