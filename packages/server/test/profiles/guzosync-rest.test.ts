import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordHasher } from '../../src/identity/password-hasher.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('GuzoSync REST profile', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    const passwordHash = await passwordHasher.hash('password123');
    await server.services.store.users.upsert({ id: 'gz-driver', email: 'gzdriver@example.com', passwordHash, displayName: 'John Doe', firstName: 'John', lastName: 'Doe', roles: ['BUS_DRIVER'] });
    await server.services.store.users.upsert({ id: 'gz-control', email: 'gzcontrol@example.com', passwordHash, displayName: 'Jane Smith', firstName: 'Jane', lastName: 'Smith', roles: ['CONTROL_STAFF'] });
  });
  afterAll(() => server.close());

  const login = async (email: string) => (await server.request('POST', '/api/accounts/login', { body: { email, password: 'password123' } })).body.access_token as string;

  it('logs in with GuzoSync’s response shape and error text', async () => {
    const ok = await server.request('POST', '/api/accounts/login', { body: { email: 'gzdriver@example.com', password: 'password123' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', role: 'BUS_DRIVER' });
    const bad = await server.request('POST', '/api/accounts/login', { body: { email: 'gzdriver@example.com', password: 'nope' } });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ detail: 'Incorrect email or password' });
    const invalid = await server.request('POST', '/api/accounts/login', { body: { email: 5 } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.detail[0]).toMatchObject({ loc: expect.arrayContaining(['body']), type: 'value_error' });
  });

  it('opens a support conversation, lists it, pages and sends messages, and closes it', async () => {
    const driver = await login('gzdriver@example.com');
    const control = await login('gzcontrol@example.com');
    const created = await server.request('POST', '/api/conversations/create-support', { token: driver, body: { title: 'Flat tyre', content: 'Stuck at Meskel Square' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ success: true, title: 'Support: Flat tyre', message: 'Support conversation created successfully' });
    expect(created.body.participants).toEqual(expect.arrayContaining(['gz-driver', 'gz-control']));
    const id = created.body.conversation_id;

    const list = await server.request('GET', '/api/conversations', { token: control });
    const entry = list.body.find((c: { id: string }) => c.id === id);
    expect(entry).toMatchObject({ title: 'Support: Flat tyre', status: 'ACTIVE', created_by: 'gz-driver', last_message: { content: 'Stuck at Meskel Square', sender_id: 'gz-driver' } });
    expect(entry.participants).toEqual(expect.arrayContaining([{ id: 'gz-driver', email: 'gzdriver@example.com', role: 'BUS_DRIVER', first_name: 'John', last_name: 'Doe', display_name: 'John Doe' }]));

    const sent = await server.request('POST', `/api/conversations/${id}/messages`, { token: control, body: { content: 'Help is on the way', message_type: 'TEXT' } });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ content: 'Help is on the way', message_type: 'TEXT', seq: 2 });
    const page = await server.request('GET', `/api/conversations/${id}/messages?skip=0&limit=1`, { token: driver });
    expect(page.body.map((m: { content: string }) => m.content)).toEqual(['Help is on the way']);
    const older = await server.request('GET', `/api/conversations/${id}/messages?skip=1&limit=5`, { token: driver });
    expect(older.body.map((m: { content: string }) => m.content)).toEqual(['Stuck at Meskel Square']);

    const stats = await server.request('GET', '/api/conversations/stats', { token: driver });
    expect(stats.body).toMatchObject({ total_conversations: 1, active_conversations: 1, unread_messages: 1 });

    const closed = await server.request('POST', `/api/conversations/${id}/close`, { token: driver });
    expect(closed.body).toMatchObject({ success: true, status: 'CLOSED' });
    const late = await server.request('POST', `/api/conversations/${id}/messages`, { token: control, body: { content: 'late' } });
    expect(late.status).toBe(409);
    expect(late.body).toEqual({ detail: 'The conversation is closed' });
  });

  it('answers GuzoSync errors as {detail}', async () => {
    const control = await login('gzcontrol@example.com');
    expect((await server.request('GET', '/api/conversations')).body).toEqual({ detail: 'Not authenticated' });
    const support = await server.request('POST', '/api/conversations/create-support', { token: control, body: { title: 't', content: 'c' } });
    expect(support.status).toBe(403);
    expect(support.body).toHaveProperty('detail');
    const stranger = await server.request('GET', '/api/conversations/none/messages', { token: control });
    expect(stranger).toMatchObject({ status: 404, body: { detail: 'Conversation not found or access denied' } });
  });
});
