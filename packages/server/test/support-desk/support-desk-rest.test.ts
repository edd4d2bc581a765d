import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordHasher } from '../../src/identity/password-hasher.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('support-desk REST profile', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    const passwordHash = await passwordHasher.hash('password123');
    await server.services.store.users.upsert({ id: 'sd-customer', email: 'sdcustomer@example.com', passwordHash, displayName: 'Chris C', firstName: 'Chris', lastName: 'C', roles: ['customer'] });
    await server.services.store.users.upsert({ id: 'sd-agent', email: 'sdagent@example.com', passwordHash, displayName: 'Alex A', firstName: 'Alex', lastName: 'A', roles: ['support'] });
  });
  afterAll(() => server.close());

  const login = async (path: string, email: string) => server.request('POST', path, { body: { email, password: 'password123' } });

  it('logs in customers and agents with the desk’s response shapes', async () => {
    const customer = await login('/api/v1/auth/login', 'sdcustomer@example.com');
    expect(customer.body).toEqual({ message: 'Login successful', token: expect.any(String), user: { id: 'sd-customer', email: 'sdcustomer@example.com', first_name: 'Chris', last_name: 'C', role: 'customer', name: 'Chris C' } });
    const agent = await login('/api/v1/support/auth/login', 'sdagent@example.com');
    expect(agent.body).toMatchObject({ success: true, token: expect.any(String), agent: { id: 'sd-agent', role: 'support' } });
    const notAgent = await login('/api/v1/support/auth/login', 'sdcustomer@example.com');
    expect(notAgent.status).toBe(403);
    expect(notAgent.body).toMatchObject({ success: false, error: 'Not a support agent' });
    const bad = await server.request('POST', '/api/v1/auth/login', { body: { email: 'sdcustomer@example.com', password: 'nope' } });
    expect(bad).toMatchObject({ status: 401, body: { success: false, error: 'Incorrect email or password' } });
  });

  it('runs a session through create, list, messages, read, assign and status', async () => {
    const customer = (await login('/api/v1/auth/login', 'sdcustomer@example.com')).body.token;
    const agent = (await login('/api/v1/support/auth/login', 'sdagent@example.com')).body.token;
    const created = await server.request('POST', '/api/v1/chat/sessions', { token: customer, body: { subject: 'Need help with order', category: 'order_issue', priority: 'high', restaurant_id: 'r-1', initial_message: 'My order is delayed' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ success: true, data: { subject: 'Need help with order', status: 'waiting', priority: 'high', restaurant_id: 'r-1', customer_id: 'sd-customer' } });
    const id = created.body.data.id;

    const all = await server.request('GET', '/api/v1/chat/sessions', { token: agent });
    expect(all.body.data.map((s: { id: string }) => s.id)).toContain(id);
    expect((await server.request('GET', '/api/v1/chat/sessions', { token: customer })).status).toBe(403);
    const mine = await server.request('GET', '/api/v1/chat/sessions/my', { token: customer });
    expect(mine.body.data.map((s: { id: string }) => s.id)).toEqual([id]);

    const assigned = await server.request('POST', `/api/v1/chat/sessions/${id}/assign`, { token: agent });
    expect(assigned.body.data).toMatchObject({ status: 'active', agent_id: 'sd-agent' });
    const sent = await server.request('POST', `/api/v1/chat/sessions/${id}/messages`, { token: agent, body: { content: 'On it', message_type: 'text' } });
    expect(sent.status).toBe(201);
    expect(sent.body.data).toMatchObject({ content: 'On it', sender_id: 'sd-agent', sender_role: 'support', read_by: [] });

    const detail = await server.request('GET', `/api/v1/chat/sessions/${id}`, { token: customer });
    expect(detail.body.data.unread_count).toBeGreaterThan(0);
    expect(detail.body.data.last_message).toMatchObject({ content: 'On it' });
    expect(await server.request('POST', `/api/v1/chat/sessions/${id}/read`, { token: customer })).toMatchObject({ status: 200, body: { success: true, message: 'Messages marked as read' } });
    expect((await server.request('GET', `/api/v1/chat/sessions/${id}`, { token: customer })).body.data.unread_count).toBe(0);
    const messages = await server.request('GET', `/api/v1/chat/sessions/${id}/messages?limit=50&offset=0`, { token: agent });
    const onIt = messages.body.data.find((m: { content: string }) => m.content === 'On it');
    expect(onIt.read_by).toEqual(['sd-customer']);
    expect(messages.body.data[0].content).toBe('My order is delayed');

    const resolved = await server.request('PATCH', `/api/v1/chat/sessions/${id}/status`, { token: agent, body: { status: 'resolved' } });
    expect(resolved.body.data.status).toBe('resolved');
    const bad = await server.request('PATCH', `/api/v1/chat/sessions/${id}/status`, { token: agent, body: { status: 'waiting' } });
    expect(bad.status).toBe(409);
    expect(bad.body.success).toBe(false);
  });

  it('answers errors as {success:false, error}', async () => {
    const customer = (await login('/api/v1/auth/login', 'sdcustomer@example.com')).body.token;
    expect((await server.request('GET', '/api/v1/chat/sessions/my')).body).toMatchObject({ success: false, error: 'Authentication is required' });
    const missing = await server.request('POST', '/api/v1/chat/sessions', { token: customer, body: { category: 'x' } });
    expect(missing.status).toBe(422);
    expect(missing.body.success).toBe(false);
    expect((await server.request('GET', '/api/v1/chat/sessions/nope', { token: customer })).status).toBe(404);
  });
});

describe('support-desk attachments', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const png = async () => (await import('../attachments/sample-files.js')).buildImage('png', 64, 64);

  it('sends a multipart message with files, pre-uploads, and refuses strangers before storing anything', async () => {
    const customer = await server.user(['customer']);
    const stranger = await server.user(['customer']);
    const id = (await server.request('POST', '/api/v1/chat/sessions', { token: customer.token, body: { subject: 'Broken item', initial_message: 'see photo' } })).body.data.id;
    const form = new FormData();
    form.append('content', 'Check this screenshot');
    form.append('message_type', 'image');
    form.append('attachments', new Blob([new Uint8Array(await png())], { type: 'image/png' }), 'screenshot.png');
    const post = (token: string, body: FormData) => fetch(`${server.url}/api/v1/chat/sessions/${id}/messages`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body });
    const sent = await post(customer.token, form);
    expect(sent.status).toBe(201);
    const data = ((await sent.json()) as any).data;
    expect(data).toMatchObject({ content: 'Check this screenshot', message_type: 'image', attachments: [{ file_name: 'screenshot.png', file_type: 'image/png' }] });
    expect(data.attachments[0].file_url).toMatch(/^\/v1\/uploads\//);

    const rows = async () => Number((await (server.services.store as any).adapter.db.selectFrom('attachments').select((eb: any) => eb.fn.countAll().as('n')).executeTakeFirst()).n);
    const before = await rows();
    const sneaky = new FormData();
    sneaky.append('content', 'hi');
    sneaky.append('attachments', new Blob([new Uint8Array(await png())]), 'x.png');
    const refused = await post(stranger.token, sneaky);
    // Answered as if the session did not exist: a stranger learns nothing of it.
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ success: false, code: 'conversation_not_found' });
    expect(await rows()).toBe(before);

    const pre = new FormData();
    pre.append('attachments', new Blob([new Uint8Array(await png())]), 'later.png');
    const uploaded = await fetch(`${server.url}/api/v1/chat/upload`, { method: 'POST', headers: { authorization: `Bearer ${customer.token}` }, body: pre });
    const upload = ((await uploaded.json()) as any).data[0];
    expect(upload).toMatchObject({ file_name: 'later.png', file_type: 'image/png', file_size: expect.any(Number) });
    const withIds = await server.request('POST', `/api/v1/chat/sessions/${id}/messages`, { token: customer.token, body: { content: 'and this', attachment_ids: [upload.id] } });
    expect(withIds.body.data.attachments[0].id).toBe(upload.id);
  });
});
