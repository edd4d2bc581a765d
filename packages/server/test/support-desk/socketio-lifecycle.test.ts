import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { TestSioClient } from '../support/sio-client.js';
import { TestWsClient } from '../support/ws-client.js';
import { eventually } from '../ws/ws-fixtures.js';

const SECRET = new TextEncoder().encode('x'.repeat(40));

/** A token signed like the server's own, expiring when the test says. */
function tokenExpiringAt(sub: string, exp: number): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuer('switchboard').setJti(`jti-${Math.random()}`).setIssuedAt().setExpirationTime(exp).sign(SECRET);
}

/** A counter or gauge from the server's own /metrics. */
async function metric(server: TestServer, line: string): Promise<number> {
  const res = await server.request('GET', '/metrics');
  const found = (res.body as string).split('\n').find((l) => l.startsWith(line));
  return found === undefined ? 0 : Number(found.split(' ').at(-1));
}

describe('Socket.IO on the shared connection lifecycle', () => {
  let server: TestServer;
  const open: { close(): void }[] = [];
  beforeAll(async () => {
    server = await startTestServer({ MAX_CONNECTIONS_PER_USER: '2', MAX_BUFFERED_BYTES: '65536', SEND_RATE_POINTS: '10000', MAX_MESSAGE_LENGTH: '100000' });
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
  const newSession = async (token: string) => (await server.request('POST', '/v1/support/cases', { token, body: { subject: 'Order late', content: 'Where is it?' } })).body.case.conversation_id as string;

  it('refuses a connection past MAX_CONNECTIONS_PER_USER, counting every transport', async () => {
    const customer = await server.user(['customer']);
    await sio(customer.token);
    const native = await TestWsClient.authenticated(server.url, customer.token);
    open.push(native);
    await expect(TestSioClient.connect(server.url, customer.token)).rejects.toThrow('Too many connections');
    native.close();
    await eventually(async () => (await server.services.presence.connectionCount(customer.user.id)) === 1, 'the native connection to be forgotten');
    await sio(customer.token);
  });

  it('disconnects a socket when its token expires, with error "Token expired"', async () => {
    const customer = await server.user(['customer']);
    const client = await sio(await tokenExpiringAt(customer.user.id, Math.floor(Date.now() / 1000) + 2));
    const disconnected = new Promise<string>((resolve) => client.socket.once('disconnect', resolve));
    expect(await client.next('error', () => true, 5000)).toEqual({ message: 'Token expired', code: 'invalid_token' });
    expect(await disconnected).toBe('io server disconnect');
  });

  it('cuts a socket that stops reading once its unread output passes MAX_BUFFERED_BYTES', async () => {
    const customer = await server.user(['customer']);
    const id = await newSession(customer.token);
    const reader = await sio(customer.token);
    reader.emit('join_session', { session_id: id });
    await reader.next('session_joined');
    const before = await metric(server, 'switchboard_slow_consumers_total{gateway="socket.io"}');
    // Stop reading at the TCP level: the kernel buffers fill, then the server's.
    const engine = reader.socket.io.engine as unknown as { transport: { ws: { _socket: { pause(): void } } } };
    engine.transport.ws._socket.pause();
    const big = 'x'.repeat(90_000);
    for (let i = 0; i < 200 && (await server.services.presence.connectionCount(customer.user.id)) > 0; i++) {
      const sent = await server.request('POST', `/v1/conversations/${id}/messages`, { token: customer.token, body: { content: `${i} ${big}` } });
      expect(sent.status).toBe(201);
    }
    await eventually(async () => (await server.services.presence.connectionCount(customer.user.id)) === 0, 'the stalled socket to be cut');
    expect(await metric(server, 'switchboard_slow_consumers_total{gateway="socket.io"}')).toBe(before + 1);
  });

  it('stops delivering a case to a participant removed from it, at once', async () => {
    const customer = await server.user(['customer']);
    const agent = await server.user(['support']);
    const id = await newSession(customer.token);
    const added = await server.request('POST', `/v1/conversations/${id}/participants`, { apiKey: TEST_API_KEY, body: { user_id: agent.user.id } });
    expect(added.status).toBeLessThan(300);
    const a = await sio(agent.token);
    a.emit('join_session', { session_id: id });
    await a.next('session_joined');
    const c = await sio(customer.token);
    c.emit('join_session', { session_id: id });
    await c.next('session_joined');
    c.emit('send_message', { session_id: id, content: 'before' });
    await a.next('new_message', (d) => d.message.content === 'before');

    // A customer (no monitor ability) removed from the case loses it live.
    const removed = await server.request('DELETE', `/v1/conversations/${id}/participants/${customer.user.id}`, { apiKey: TEST_API_KEY });
    expect(removed.status).toBeLessThan(300);
    // The removal is applied before the DELETE answers (the event reaches this node's sockets first).
    const sent = await server.request('POST', `/v1/conversations/${id}/messages`, { token: agent.token, body: { content: 'after removal' } });
    expect(sent.status).toBe(201);
    await a.next('new_message', (d) => d.message.content === 'after removal');
    await c.nothing('new_message', (d) => d.message.content === 'after removal');
    expect((await c.request('join_session', { session_id: id })).success).toBe(false);
  });

  it('lets only readers of a session announce leaving it', async () => {
    const customer = await server.user(['customer']);
    const stranger = await server.user(['customer']);
    const id = await newSession(customer.token);
    const c = await sio(customer.token);
    c.emit('join_session', { session_id: id });
    await c.next('session_joined');
    const s = await sio(stranger.token);
    const reply = await s.request('leave_session', { session_id: id });
    expect(reply).toEqual({ success: false, error: 'Session not found', code: 'conversation_not_found' });
    expect(await s.next('error')).toEqual({ message: 'Session not found', code: 'conversation_not_found', event: 'leave_session' });
    await c.nothing('user_left');
  });

  it('applies a demotion to sockets already open: no agents feed, no sessions it may no longer read', async () => {
    const agent = await server.user(['support']);
    const customer = await server.user(['customer']);
    const a = await sio(agent.token);
    const first = await newSession(customer.token);
    await a.next('new_session', (d) => d.session_id === first);
    a.emit('join_session', { session_id: first });
    await a.next('session_joined');

    const demoted = await server.request('PUT', `/v1/users/${agent.user.id}`, { apiKey: TEST_API_KEY, body: { roles: ['customer'] } });
    expect(demoted.status).toBe(200);
    await eventually(async () => !(await a.request('accept_chat', { session_id: first })).success, 'the demotion to reach the socket');
    const second = await newSession(customer.token);
    await a.nothing('new_session', (d) => d.session_id === second);
    expect(await a.request('join_session', { session_id: second })).toMatchObject({ success: false, error: 'Session not found', code: 'conversation_not_found' });
    // Out of the first session's room too: its messages no longer reach the socket.
    const sent = await server.request('POST', `/v1/conversations/${first}/messages`, { token: customer.token, body: { content: 'private now' } });
    expect(sent.status).toBe(201);
    await a.nothing('new_message', (d) => d.message.content === 'private now');
  });
});

describe('native WebSocket follows role changes on open connections', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('drops support rooms and refuses them after a demotion', async () => {
    const staff = await server.user(['CONTROL_STAFF']);
    await server.user(['CONTROL_STAFF']);
    const driver = await server.user(['BUS_DRIVER']);
    const ws = await TestWsClient.authenticated(server.url, staff.token);
    try {
      expect((await ws.request('join_support_room', { room_type: 'general_support' })).success).toBe(true);
      const demoted = await server.request('PUT', `/v1/users/${staff.user.id}`, { apiKey: TEST_API_KEY, body: { roles: ['BUS_DRIVER'] } });
      expect(demoted.status).toBe(200);
      await eventually(async () => !(await ws.request('join_support_room', { room_type: 'general_support' })).success, 'the demotion to reach the connection');
      const opened = await server.request('POST', '/api/conversations/create-support', { token: driver.token, body: { title: 'Brakes', content: 'Brakes feel soft' } });
      expect(opened.status).toBe(201);
      await ws.nothing((f) => f.type === 'new_support_conversation');
    } finally {
      ws.close();
    }
  });
});
