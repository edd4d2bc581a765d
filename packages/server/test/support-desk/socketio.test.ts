import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSioClient } from '../support/sio-client.js';
import { TestWsClient } from '../support/ws-client.js';

describe('support-desk Socket.IO profile', () => {
  let server: TestServer;
  const open: { close(): void }[] = [];
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });

  const sio = async (token: string) => {
    const client = await TestSioClient.connect(server.url, token);
    open.push(client);
    return client;
  };
  const newSession = async (token: string, content = 'My order is delayed') =>
    (await server.request('POST', '/v1/support/cases', { token, body: { subject: 'Need help with order', content, priority: 'high', category: 'order_issue' } })).body.case.conversation_id as string;

  it('refuses a handshake without a token or with a bad one, with the documented texts', async () => {
    await expect(TestSioClient.connect(server.url, undefined)).rejects.toThrow('Authentication token required');
    await expect(TestSioClient.connect(server.url, 'garbage')).rejects.toThrow('Invalid authentication token');
    const { token } = await server.user(['customer']);
    const viaHeader = await TestSioClient.connect(server.url, undefined, { headers: { authorization: `Bearer ${token}` } });
    open.push(viaHeader);
    expect(viaHeader.socket.connected).toBe(true);
  });

  it('runs the document’s client flow: join, send with temp_id, typing, read, accept, close', async () => {
    const customer = await server.user(['customer']);
    const agent = await server.user(['support']);
    const id = await newSession(customer.token);
    const c = await sio(customer.token);
    const a = await sio(agent.token);

    c.emit('join_session', { session_id: id });
    const joined = await c.next('session_joined');
    expect(joined.session).toMatchObject({ id, subject: 'Need help with order', status: 'waiting', priority: 'high', category: 'order_issue', customer_id: customer.user.id });
    expect(joined.messages.map((m: { content: string }) => m.content)).toEqual(['My order is delayed']);
    expect(joined.participants).toEqual([expect.objectContaining({ user_id: customer.user.id, role: 'customer', online: true })]);

    // The agent may look at a waiting session, and accepts it.
    a.emit('join_session', { session_id: id });
    await a.next('session_joined');
    expect(await c.next('user_joined')).toEqual({ user_id: agent.user.id, role: 'support', name: agent.user.displayName });
    a.emit('accept_chat', { session_id: id });
    const accepted = await c.next('chat_accepted');
    expect(accepted).toMatchObject({ agent_id: agent.user.id, agent_name: agent.user.displayName, session: { id, status: 'active' } });
    expect(await c.next('session_status_changed')).toEqual({ session_id: id, status: 'active', agent_id: agent.user.id });

    c.emit('send_message', { session_id: id, content: 'Any news?', message_type: 'text', temp_id: 'temp-1' });
    const delivered = await a.next('new_message', (d) => d.message.content === 'Any news?');
    expect(delivered.message).toMatchObject({ session_id: id, sender_id: customer.user.id, sender_role: 'customer', message_type: 'text' });
    const echoed = await c.next('new_message', (d) => d.message.content === 'Any news?');
    const sent = await c.next('message_sent');
    expect(sent).toMatchObject({ message_id: echoed.message.id, temp_id: 'temp-1' });
    expect(typeof sent.sent_at).toBe('string');

    a.emit('typing', { session_id: id });
    expect(await c.next('user_typing')).toEqual({ session_id: id, user_id: agent.user.id, user_name: agent.user.displayName });
    a.emit('stop_typing', { session_id: id });
    expect(await c.next('typing_stopped')).toEqual({ session_id: id, user_id: agent.user.id });
    await a.nothing('user_typing');

    a.emit('mark_as_read', { session_id: id, message_ids: [echoed.message.id] });
    expect(await c.next('messages_read', (d) => d.user_id === agent.user.id)).toMatchObject({ session_id: id, message_ids: [echoed.message.id] });

    c.emit('close_chat', { session_id: id });
    const closed = await a.next('chat_closed');
    expect(closed).toMatchObject({ closed_by: customer.user.id, session: { id, status: 'closed' } });
    expect(await a.next('session_status_changed', (d) => d.status === 'closed')).toMatchObject({ session_id: id });

    c.emit('leave_session', { session_id: id });
    expect(await a.next('user_left')).toEqual({ user_id: customer.user.id, role: 'customer' });
  });

  it('answers errors with the documented texts, a stranger\'s session exactly like a missing one', async () => {
    const customer = await server.user(['customer']);
    const stranger = await server.user(['customer']);
    const id = await newSession(customer.token);
    const s = await sio(stranger.token);
    s.emit('join_session', { session_id: 'no-such-session' });
    const missing = await s.next('error');
    expect(missing.message).toBe('Session not found');
    s.emit('join_session', { session_id: id });
    expect(await s.next('error')).toEqual(missing);
    s.emit('accept_chat', { session_id: id });
    expect((await s.next('error')).message).toBe('Only support agents can accept chats');
    s.emit('send_message', { session_id: id, content: 'let me in' });
    expect((await s.next('error')).code).toBe('conversation_not_found');
    s.emit('send_message', { session_id: id });
    expect((await s.next('error')).code).toBe('validation_failed');
    const page = await server.request('GET', `/v1/conversations/${id}/messages`, { token: customer.token });
    expect(page.body.messages).toHaveLength(1);
  });

  it('gives "Chat already accepted" to the second agent', async () => {
    const customer = await server.user(['customer']);
    const [one, two] = await Promise.all([server.user(['support']), server.user(['support'])]);
    const id = await newSession(customer.token);
    const [a, b] = [await sio(one.token), await sio(two.token)];
    const replies = await Promise.all([a.request('accept_chat', { session_id: id }), b.request('accept_chat', { session_id: id })]);
    expect(replies.filter((r) => r.success === true)).toHaveLength(1);
    expect(replies.find((r) => r.success === false)).toMatchObject({ error: 'Chat already accepted', code: 'case_already_accepted' });
  });

  it('sends status changes to the session room and agents, not to other customers', async () => {
    const customer = await server.user(['customer']);
    const bystander = await server.user(['customer']);
    const agent = await server.user(['support']);
    const id = await newSession(customer.token);
    const watcher = await sio(agent.token);
    const other = await sio(bystander.token);
    const c = await sio(customer.token);
    c.emit('join_session', { session_id: id });
    await c.next('session_joined');
    await server.request('POST', `/v1/support/cases/${id}/accept`, { token: agent.token });
    expect(await watcher.next('session_status_changed', (d) => d.session_id === id)).toMatchObject({ status: 'active' });
    expect(await c.next('session_status_changed', (d) => d.session_id === id)).toMatchObject({ status: 'active' });
    await other.nothing('session_status_changed');
    await other.nothing('chat_accepted');
  });

  it('puts an agent on Socket.IO and a driver on the native WebSocket in one case', async () => {
    const driver = await server.user(['BUS_DRIVER']);
    // A GuzoSync case is its control staff's, whichever protocol they use.
    const agent = await server.user(['CONTROL_STAFF']);
    const ws = await TestWsClient.authenticated(server.url, driver.token);
    open.push(ws);
    const created = await ws.request('create_support_conversation', { title: 'Flat tyre', content: 'Stuck at Meskel Square' });
    expect(created.success).toBe(true);
    const id = created.conversation_id;
    const a = await sio(agent.token);
    a.emit('join_session', { session_id: id });
    expect((await a.next('session_joined')).messages[0].content).toBe('Stuck at Meskel Square');
    a.emit('send_message', { session_id: id, content: 'Mechanic dispatched', temp_id: 't-9' });
    const frame = await ws.next((f) => f.type === 'new_message');
    expect(frame.message).toMatchObject({ content: 'Mechanic dispatched', sender_id: agent.user.id, seq: 2 });
    await ws.request('send_chat_message', { conversation_id: id, content: 'Thanks!' });
    expect((await a.next('new_message', (d) => d.message.content === 'Thanks!')).message.sender_id).toBe(driver.user.id);
    const page = await server.request('GET', `/v1/conversations/${id}/messages`, { token: driver.token });
    expect(page.body.messages.map((m: { content: string }) => m.content)).toEqual(['Stuck at Meskel Square', 'Mechanic dispatched', 'Thanks!']);
  });
});

describe('support-desk Socket.IO sessions', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('disconnects the sockets of a session that was ended, and only those', async () => {
    const { user, token } = await server.user(['customer']);
    const otherToken = await server.services.tokens.mint(user);
    const ended = await TestSioClient.connect(server.url, token);
    const kept = await TestSioClient.connect(server.url, otherToken);
    const disconnected = new Promise<string>((resolve) => ended.socket.once('disconnect', (reason) => resolve(reason)));
    expect((await server.request('POST', '/v1/auth/logout', { token })).status).toBe(204);
    expect(await ended.next('error')).toMatchObject({ message: 'Session ended' });
    expect(await disconnected).toBe('io server disconnect');
    await new Promise((r) => setTimeout(r, 200));
    expect(kept.socket.connected).toBe(true);
    kept.close();
  });
});
