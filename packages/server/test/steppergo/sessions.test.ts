import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { TestSioClient } from '../support/sio-client.js';
import { PASSWORD, refusal, STEPPERGO_PATH, TripSockets, tripUser } from './steppergo-fixtures.js';

const DAY = 86_400;

/** Resolves with the reason once the socket is disconnected by the server. */
function disconnected(client: TestSioClient): Promise<string> {
  return new Promise((resolve) => (client.socket.disconnected ? resolve('already') : client.socket.once('disconnect', (reason) => resolve(reason))));
}

describe('StepperGO sessions', () => {
  let server: TestServer;
  const sockets = new TripSockets(() => server);

  beforeAll(async () => {
    server = await startTestServer({ KEEPALIVE_SECONDS: '1' });
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await server?.close();
  });

  describe('POST /api/auth/login', () => {
    it('answers {success, message, user, session:{token, expiresAt}} with an opaque token, longer with remember', async () => {
      const user = await tripUser(server, 'PASSENGER', 'Pat Passenger');
      const before = Date.now();
      const plain = await server.request('POST', '/api/auth/login', { body: { email: user.email, password: PASSWORD } });
      expect(plain.status).toBe(200);
      expect(plain.body).toEqual({
        success: true,
        message: 'Login successful',
        user: { id: user.id, email: user.email, name: 'Pat Passenger', firstName: null, lastName: null, role: 'PASSENGER', avatar: null },
        session: { token: expect.stringMatching(/^sbs_[A-Za-z0-9_-]{43}$/), expiresAt: expect.any(String) },
      });
      const lifetime = (body: { session: { expiresAt: string } }) => (Date.parse(body.session.expiresAt) - before) / 1000;
      expect(lifetime(plain.body)).toBeGreaterThan(DAY - 5);
      expect(lifetime(plain.body)).toBeLessThan(DAY + 5);
      const remembered = await server.request('POST', '/api/auth/login', { body: { email: user.email, password: PASSWORD, remember: true } });
      expect(lifetime(remembered.body)).toBeGreaterThan(30 * DAY - 5);
    });

    it('refuses a wrong password with {"error": "..."}', async () => {
      const user = await tripUser(server, 'DRIVER');
      const res = await server.request('POST', '/api/auth/login', { body: { email: user.email, password: 'not-it' } });
      expect(res).toMatchObject({ status: 401, body: { error: 'Incorrect email or password', code: 'invalid_credentials' } });
      const bad = await server.request('POST', '/api/auth/login', { body: { email: user.email } });
      expect(bad).toMatchObject({ status: 422, body: { code: 'validation_failed' } });
    });

    it('stores only the sha256 of the token', async () => {
      const user = await tripUser(server, 'DRIVER');
      const store = server.services.store as KyselyStore;
      const rows = await store.adapter.db.selectFrom('sessions').selectAll().where('user_id', '=', user.id).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.token_hash).toBe(createHash('sha256').update(user.token).digest('hex'));
      expect(JSON.stringify(rows)).not.toContain(user.token.slice(4));
    });
  });

  describe('Socket.IO at /api/socket', () => {
    it('takes the token in auth.token or an Authorization: Bearer header', async () => {
      const user = await tripUser(server, 'ORGANIZER');
      await sockets.as(user);
      await sockets.as(user, { headers: { authorization: `Bearer ${user.token}` } });
      expect(await server.services.presence.connectionCount(user.id)).toBe(2);
    });

    it('refuses a handshake with "Authentication required" or "Invalid or expired session"', async () => {
      expect(await refusal(server, undefined)).toBe('Authentication required');
      expect(await refusal(server, 'sbs_made-up')).toBe('Invalid or expired session');
      expect(await refusal(server, 'not.a.jwt')).toBe('Invalid or expired session');
    });

    it('accepts the native JWTs too', async () => {
      const { token } = await server.user(['PASSENGER']);
      const socket = await sockets.as(token);
      expect(socket.socket.connected).toBe(true);
    });

    it('sends heartbeat {timestamp} every KEEPALIVE_SECONDS and keeps the socket open', async () => {
      const user = await tripUser(server, 'PASSENGER');
      const socket = await sockets.as(user);
      const first = await socket.next('heartbeat', () => true, 3000);
      expect(Number.isNaN(Date.parse(first.timestamp))).toBe(false);
      await socket.next('heartbeat', () => true, 3000);
      expect(socket.socket.connected).toBe(true);
    });
  });

  describe('ending sessions', () => {
    it('logout revokes the token on every transport and closes its sockets, leaving other sessions signed in', async () => {
      const user = await tripUser(server, 'PASSENGER');
      const other = await server.request('POST', '/api/auth/login', { body: { email: user.email, password: PASSWORD } });
      const socket = await sockets.as(user);
      const kept = await sockets.as(other.body.session.token);
      const gone = disconnected(socket);
      const out = await server.request('POST', '/api/auth/logout', { token: user.token });
      expect(out).toMatchObject({ status: 200, body: { success: true } });
      expect(await socket.next('error')).toMatchObject({ message: 'Invalid or expired session' });
      await gone;
      expect(await server.request('GET', '/v1/me', { token: user.token })).toMatchObject({ status: 401 });
      expect(await server.request('GET', '/api/messages/T-1', { token: user.token })).toMatchObject({ status: 401, body: { error: 'Invalid or expired session' } });
      expect(await refusal(server, user.token)).toBe('Invalid or expired session');
      expect(kept.socket.connected).toBe(true);
      expect((await server.request('GET', '/v1/me', { token: other.body.session.token })).status).toBe(200);
    });

    it('revoke-tokens (logout everywhere) and disabling end every session, open sockets included', async () => {
      for (const end of [
        (id: string) => server.request('POST', `/v1/users/${id}/revoke-tokens`, { apiKey: TEST_API_KEY }),
        (id: string) => server.request('PUT', `/v1/users/${id}`, { apiKey: TEST_API_KEY, body: { disabled: true } }),
      ]) {
        const user = await tripUser(server, 'DRIVER');
        const socket = await sockets.as(user);
        const gone = disconnected(socket);
        expect((await end(user.id)).status).toBeLessThan(300);
        await gone;
        expect(await server.request('GET', '/v1/me', { token: user.token })).toMatchObject({ status: 401 });
      }
    });

    it('refuses a session past its lifetime and closes its sockets when it ends', async () => {
      const short = await startTestServer({}, { sessionTtlSeconds: 1 });
      try {
        const user = await tripUser(short, 'PASSENGER');
        const socket = await TestSioClient.connect(short.url, user.token, { path: STEPPERGO_PATH });
        const gone = disconnected(socket);
        expect(await socket.next('error', () => true, 3000)).toMatchObject({ message: 'Invalid or expired session' });
        await gone;
        expect(await short.request('GET', '/v1/me', { token: user.token })).toMatchObject({ status: 401 });
      } finally {
        await short.close();
      }
    });
  });
});
