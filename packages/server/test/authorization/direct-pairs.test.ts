import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';

/**
 * The one direct conversation of two users is found by a context the server derives from the
 * pair. No caller may claim that context, so nobody can plant a conversation two others will be
 * put in later.
 */
describe('direct conversations', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const create = (auth: { token?: string; apiKey?: string }, body: unknown) => server.request('POST', '/v1/conversations', { ...auth, body });
  const participantIds = async (token: string, id: string) =>
    (await server.request('GET', `/v1/conversations/${id}/participants`, { token })).body.participants.map((p: { user_id: string }) => p.user_id).sort();

  it('refuses a direct context given by a client, of any type of conversation and from any caller', async () => {
    const [attacker, control, driver] = [await server.user(['CONTROL_STAFF']), await server.user(['CONTROL_STAFF']), await server.user(['BUS_DRIVER'])];
    const context = { type: 'direct', id: [control.user.id, driver.user.id].sort().join(':') };
    for (const body of [{ type: 'general', context }, { type: 'direct', context, participant_ids: [control.user.id] }, { type: 'direct', context: { type: 'trip', id: 'T-1' }, participant_ids: [control.user.id] }]) {
      const res = await create({ token: attacker.token }, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await create({ apiKey: TEST_API_KEY }, { type: 'general', context })).status).toBe(422);
    const put = await server.request('PUT', `/v1/conversations/by-context/direct/${context.id}`, { apiKey: TEST_API_KEY, body: { participants: [] } });
    expect(put.status).toBe(422);
  });

  it('puts two users who open a direct chat in a conversation of their own, never one an attacker prepared', async () => {
    const [attacker, control, driver] = [await server.user(['CONTROL_STAFF']), await server.user(['CONTROL_STAFF']), await server.user(['BUS_DRIVER'])];
    const planted = await create({ token: attacker.token }, { type: 'general', title: 'Shift notes', context: { type: 'direct', id: [control.user.id, driver.user.id].sort().join(':') } });
    expect(planted.status).toBe(422);

    const opened = await create({ token: control.token }, { type: 'direct', participant_ids: [driver.user.id] });
    expect(opened.status).toBe(201);
    const id = opened.body.conversation.id;
    expect(await participantIds(control.token, id)).toEqual([control.user.id, driver.user.id].sort());
    expect((await server.request('GET', `/v1/conversations/${id}/messages`, { token: attacker.token })).status).toBe(404);
    const again = await create({ token: control.token }, { type: 'direct', participant_ids: [driver.user.id] });
    expect(again.status).toBe(200);
    expect(again.body.conversation.id).toBe(id);
  });

  it('derives the pair whichever of the two asks, and keeps apart pairs whose ids contain colons', async () => {
    const user = async (id: string) => {
      const res = await server.request('PUT', `/v1/users/${encodeURIComponent(id)}`, { apiKey: TEST_API_KEY, body: { roles: ['CONTROL_STAFF'] } });
      expect(res.status).toBe(201);
      return id;
    };
    const [a, bc, ab, c] = [await user('a'), await user('b:c'), await user('a:b'), await user('c')];
    const first = await create({ apiKey: TEST_API_KEY }, { type: 'direct', participant_ids: [a, bc] });
    const reversed = await create({ apiKey: TEST_API_KEY }, { type: 'direct', participant_ids: [bc, a] });
    const other = await create({ apiKey: TEST_API_KEY }, { type: 'direct', participant_ids: [ab, c] });
    expect(first.status).toBe(201);
    expect(reversed.body.conversation.id).toBe(first.body.conversation.id);
    expect(other.status).toBe(201);
    expect(other.body.conversation.id).not.toBe(first.body.conversation.id);
  });

  it('does not hand out a conversation planted under a pair\'s context before the fix', async () => {
    const [attacker, control, driver] = [await server.user(['CONTROL_STAFF']), await server.user(['CONTROL_STAFF']), await server.user(['BUS_DRIVER'])];
    // Written as the old code let a client write it: a general conversation holding the pair's context.
    const planted = await server.services.store.conversations.create({
      type: 'general',
      context: { type: 'direct', id: [control.user.id, driver.user.id].sort().join(':') },
      title: null,
      metadata: {},
      createdBy: attacker.user.id,
      participants: [{ userId: attacker.user.id, role: 'owner' }],
    });
    const opened = await create({ token: control.token }, { type: 'direct', participant_ids: [driver.user.id] });
    expect(opened.status).toBe(409);
    expect(opened.body.error.code).toBe('context_taken');
    expect(await participantIds(attacker.token, planted.id)).toEqual([attacker.user.id]);
  });
});
