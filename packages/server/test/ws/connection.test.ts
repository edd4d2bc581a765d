import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';
import { clientFrame, OpenClients, rawUpgrade, serverTextFrames } from './ws-fixtures.js';

const SECRET = new TextEncoder().encode('x'.repeat(40));
const PATHS = ['/v1/ws', '/ws/connect', '/api/websocket/connect'];

/** A token signed like the server's own, with claims chosen by the test. */
function ownToken(sub: string, { exp, secret = SECRET }: { exp: number; secret?: Uint8Array }): Promise<string> {
  return new SignJWT({ role: 'CONTROL_STAFF' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer('switchboard')
    .setJti(`jti-${Math.random()}`)
    .setIssuedAt(Math.floor(Date.now() / 1000) - 60)
    .setExpirationTime(exp)
    .sign(secret);
}

describe('native WebSocket connection', () => {
  let server: TestServer;
  const clients = new OpenClients(() => server);
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(() => clients.closeAll());
  afterAll(() => server.close());

  it.each(PATHS)('welcomes a client on %s with its user id and a connection id as the very first frame', async (path) => {
    const who = await server.user(['BUS_DRIVER']);
    const client = await clients.as(who, path);
    expect(client.frames[0]).toEqual({ type: 'authenticated', user_id: who.user.id, connection_id: expect.any(String), message: 'Authentication successful' });
    const second = await clients.as(who, path);
    expect(second.frames[0]!.connection_id).not.toBe(client.frames[0]!.connection_id);
  });

  it('accepts the token in an Authorization: Bearer header', async () => {
    const who = await server.user(['CONTROL_STAFF']);
    const client = await clients.raw(undefined, { headers: { authorization: `Bearer ${who.token}` } });
    expect(await client.next()).toMatchObject({ type: 'authenticated', user_id: who.user.id });
  });

  it('accepts the token as the Sec-WebSocket-Protocol pair "bearer, <token>" and selects "bearer"', async () => {
    const who = await server.user(['CONTROL_STAFF']);
    const client = await clients.raw(undefined, { path: '/api/websocket/connect', protocols: ['bearer', who.token] });
    expect(await client.next()).toMatchObject({ type: 'authenticated', user_id: who.user.id });
    expect(client.ws.protocol).toBe('bearer');
  });

  it('answers a missing, malformed, foreign, expired, revoked or unknown-user token with auth_error, then closes with 4001', async () => {
    const who = await server.user(['CONTROL_STAFF']);
    const revoked = await server.user(['CONTROL_STAFF']);
    expect((await server.request('POST', '/v1/auth/logout', { token: revoked.token })).status).toBe(204);
    const now = Math.floor(Date.now() / 1000);
    const cases: Record<string, string | undefined> = {
      missing: undefined,
      malformed: 'not-a-jwt',
      'signed with another secret': await ownToken(who.user.id, { exp: now + 3600, secret: new TextEncoder().encode('y'.repeat(40)) }),
      expired: await ownToken(who.user.id, { exp: now - 10 }),
      revoked: revoked.token,
      'unknown user': await ownToken('nobody-here', { exp: now + 3600 }),
    };
    for (const [label, token] of Object.entries(cases)) {
      const client = await clients.raw(token, { path: '/ws/connect' });
      const closed = await client.waitClose();
      expect(closed.code, label).toBe(4001);
      expect(client.frames, label).toEqual([{ type: 'auth_error', message: 'Invalid token' }]);
    }
  });

  it('answers an application ping with a pong carrying the same timestamp and the server time', async () => {
    const client = await clients.as(await server.user(['BUS_DRIVER']));
    for (const timestamp of [1_700_000_000_123, 'client-clock-7']) {
      const before = Date.now();
      client.send({ type: 'ping', timestamp });
      const pong = await client.next((f) => f.type === 'pong');
      expect(pong).toEqual({ type: 'pong', timestamp, server_time: expect.any(String) });
      const serverTime = Date.parse(pong.server_time);
      expect(serverTime).toBeGreaterThanOrEqual(before - 1000);
      expect(serverTime).toBeLessThanOrEqual(Date.now() + 1000);
      expect(new Date(serverTime).toISOString()).toBe(pong.server_time);
    }
  });

  it('refuses an upgrade on a path no gateway serves', async () => {
    const who = await server.user(['CONTROL_STAFF']);
    for (const path of ['/v2/ws', '/ws', '/api/websocket/connect/extra', '/v1/conversations']) {
      await expect(TestWsClient.connect(server.url, who.token, { path }), path).rejects.toThrow(/404/);
    }
  });

  it('closes a connection with auth_error "Token expired" and 4001 when its token expires', async () => {
    const who = await server.user(['CONTROL_STAFF']);
    const token = await ownToken(who.user.id, { exp: Math.floor(Date.now() / 1000) + 2 });
    const client = await clients.as({ user: who.user, token });
    expect((await client.request('get_active_conversations')).success).toBe(true);
    const closed = await client.waitClose(5000);
    expect(closed.code).toBe(4001);
    expect(client.frames.at(-1)).toEqual({ type: 'auth_error', message: 'Token expired' });
  });

  it('ends the open connections of a user whose sessions are ended: revoked tokens, disabled account, logout', async () => {
    const revoked = await server.user(['CONTROL_STAFF']);
    const disabled = await server.user(['CONTROL_STAFF']);
    const loggedOut = await server.user(['CONTROL_STAFF']);
    const bystander = await server.user(['CONTROL_STAFF']);
    const connections = {
      'revoke-tokens': await clients.as(revoked),
      disable: await clients.as(disabled),
      logout: await clients.as(loggedOut),
    };
    const calm = await clients.as(bystander);
    expect((await server.request('POST', `/v1/users/${revoked.user.id}/revoke-tokens`, { apiKey: TEST_API_KEY })).status).toBe(204);
    expect((await server.request('PUT', `/v1/users/${disabled.user.id}`, { apiKey: TEST_API_KEY, body: { disabled: true } })).status).toBe(200);
    expect((await server.request('POST', '/v1/auth/logout', { token: loggedOut.token })).status).toBe(204);
    const outcomes = await Promise.all(Object.entries(connections).map(async ([how, client]) => [how, (await client.waitClose(3000).catch(() => undefined))?.code ?? 'still open'] as const));
    expect(Object.fromEntries(outcomes)).toEqual({ 'revoke-tokens': 4001, disable: 4001, logout: 4001 });
    for (const client of Object.values(connections)) expect(client.frames.at(-1)).toMatchObject({ type: 'auth_error' });
    calm.send({ type: 'ping', timestamp: 1 });
    expect(await calm.next((f) => f.type === 'pong')).toMatchObject({ timestamp: 1 });
  });

  it('answers frames that arrive with the upgrade request after the welcome, in order', async () => {
    const who = await server.user(['CONTROL_STAFF']);
    const early = Buffer.concat([
      clientFrame(Buffer.from(JSON.stringify({ type: 'ping', timestamp: 1 }))),
      clientFrame(Buffer.from(JSON.stringify({ type: 'get_active_conversations', data: {}, request_id: 'r2' }))),
      clientFrame(Buffer.from(JSON.stringify({ type: 'ping', timestamp: 3 }))),
    ]);
    const { socket, received } = await rawUpgrade(server, `/v1/ws?token=${who.token}`, early);
    try {
      let frames: Record<string, any>[] = [];
      await expect
        .poll(() => (frames = serverTextFrames(received()).map((f) => JSON.parse(f))).length, { timeout: 5000 })
        .toBe(4);
      expect(frames.map((f) => f.type ?? f.request_id)).toEqual(['authenticated', 'pong', 'r2', 'pong']);
      expect(frames[1]!.timestamp).toBe(1);
      expect(frames[3]!.timestamp).toBe(3);
    } finally {
      socket.destroy();
    }
  });

  it('rejects a binary frame that arrives with the upgrade request, as it rejects every binary frame', async () => {
    const who = await server.user(['CONTROL_STAFF']);
    const ping = Buffer.from(JSON.stringify({ type: 'ping', timestamp: 42 }));
    const { socket, received } = await rawUpgrade(server, `/v1/ws?token=${who.token}`, Buffer.concat([clientFrame(ping, 0x2), clientFrame(ping, 0x1)]));
    try {
      let frames: Record<string, any>[] = [];
      await expect.poll(() => (frames = serverTextFrames(received()).map((f) => JSON.parse(f))).length, { timeout: 5000 }).toBe(3);
      // The same bytes as a binary frame after the welcome get "Invalid JSON format"; early ones must too.
      expect(frames.slice(1)).toEqual([
        { type: 'error', message: 'Invalid JSON format' },
        { type: 'pong', timestamp: 42, server_time: expect.any(String) },
      ]);
    } finally {
      socket.destroy();
    }
  });

  it('rejects a binary frame after the welcome with "Invalid JSON format" and keeps the connection', async () => {
    const client = await clients.as(await server.user(['CONTROL_STAFF']));
    client.ws.send(Buffer.from(JSON.stringify({ type: 'ping', timestamp: 5 })), { binary: true });
    expect(await client.next((f) => f.type !== 'authenticated')).toEqual({ type: 'error', message: 'Invalid JSON format' });
    client.send({ type: 'ping', timestamp: 6 });
    expect(await client.next((f) => f.type === 'pong')).toMatchObject({ timestamp: 6 });
  });
});
