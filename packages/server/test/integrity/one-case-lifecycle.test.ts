import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';

describe('a support case has one lifecycle, whichever protocol closes it', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('closes the case, not only its conversation, on GuzoSync’s POST /api/conversations/{id}/close', async () => {
    await server.user(['CONTROL_STAFF']);
    const driver = await server.user(['BUS_DRIVER']);
    const agent = await server.user(['CONTROL_STAFF']);
    const opened = await server.request('POST', '/api/conversations/create-support', { token: driver.token, body: { title: 'Flat tyre', content: 'Stuck at Megenagna' } });
    expect(opened.status).toBe(201);
    const id = opened.body.conversation_id as string;
    const closed = await server.request('POST', `/api/conversations/${id}/close`, { token: driver.token });
    expect(closed.body).toMatchObject({ success: true, status: 'CLOSED' });

    const supportCase = await server.request('GET', `/v1/support/cases/${id}`, { token: agent.token });
    expect(supportCase.body.case).toMatchObject({ status: 'closed', closed_at: expect.any(String) });
    // Nobody can accept a closed case into a conversation nobody may write to.
    expect((await server.request('POST', `/v1/support/cases/${id}/accept`, { token: agent.token })).status).toBe(409);
    const notes = (await server.request('GET', `/v1/conversations/${id}/messages`, { token: agent.token })).body.messages.filter((m: { kind: string }) => m.kind === 'system');
    expect(notes.map((m: { metadata: { support_change: string } }) => m.metadata.support_change)).toEqual(['closed']);
    // Closing again is answered the same and changes nothing.
    expect((await server.request('POST', `/api/conversations/${id}/close`, { token: driver.token })).body).toMatchObject({ success: true, status: 'CLOSED' });
  });

  it('still closes a plain conversation as before', async () => {
    const staff = await server.user(['CONTROL_STAFF']);
    const driver = await server.user(['BUS_DRIVER']);
    const created = await server.request('POST', '/api/conversations/create', { token: staff.token, body: { title: 'Route 4', participant_ids: [driver.user.id] } });
    const id = created.body.id as string;
    const closed = await server.request('POST', `/api/conversations/${id}/close`, { token: staff.token });
    expect(closed.body).toMatchObject({ success: true, status: 'CLOSED' });
    expect((await server.request('GET', `/v1/conversations/${id}`, { token: staff.token })).body.conversation.status).toBe('closed');
  });
});

describe('a support case’s conversation never changes status apart from its case', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('refuses PATCH /v1/conversations/{id} {status} on a case with 409 and leaves both as they were', async () => {
    const customer = await server.user(['customer']);
    const id = (await server.request('POST', '/v1/support/cases', { token: customer.token, body: { subject: 'Patch' } })).body.case.conversation_id as string;
    const patched = await server.request('PATCH', `/v1/conversations/${id}`, { apiKey: TEST_API_KEY, body: { status: 'closed' } });
    expect(patched.status).toBe(409);
    expect(patched.body.error.code).toBe('invalid_transition');
    expect((await server.request('GET', `/v1/conversations/${id}`, { apiKey: TEST_API_KEY })).body.conversation.status).toBe('active');
    expect((await server.request('PATCH', `/v1/conversations/${id}`, { apiKey: TEST_API_KEY, body: { title: 'Renamed' } })).status).toBe(200);
  });
});
