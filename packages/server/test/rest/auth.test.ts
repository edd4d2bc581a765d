import { SignJWT, UnsecuredJWT } from 'jose';
import { startJwksHost, type JwksHost } from '../support/jwks-host.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordHasher } from '../../src/identity/password-hasher.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';

const SECRET = 'x'.repeat(40);

describe('authentication', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    await server.services.store.users.upsert({
      id: 'alice',
      email: 'Alice@Example.com',
      passwordHash: await passwordHasher.hash('correct horse'),
      displayName: 'Alice',
      roles: ['CONTROL_STAFF'],
    });
  });
  afterAll(() => server.close());

  const login = (email: string, password: string) => server.request('POST', '/v1/auth/login', { body: { email, password } });

  it('logs in with email and password and returns a bearer token with the user', async () => {
    const res = await login('alice@example.com', 'correct horse');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'bearer', expires_in: 86400, user: { id: 'alice', roles: ['CONTROL_STAFF'] } });
    const me = await server.request('GET', '/v1/me', { token: res.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe('alice');
    expect(me.body.abilities).toContain('support.monitor');
  });

  it('rejects a wrong password and an unknown email alike', async () => {
    for (const res of [await login('alice@example.com', 'wrong'), await login('nobody@example.com', 'correct horse')]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_credentials');
    }
  });

  it('asks for credentials when none are sent', async () => {
    const res = await server.request('GET', '/v1/me');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
  });

  it('rejects an expired token', async () => {
    const token = await new SignJWT({ role: 'CONTROL_STAFF' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuer('switchboard')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(SECRET));
    const res = await server.request('GET', '/v1/me', { token });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_token');
  });

  it('rejects a tampered token', async () => {
    const { token } = await server.user(['customer']);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'alice', roles: ['admin'] })).toString('base64url');
    const res = await server.request('GET', '/v1/me', { token: `${header}.${forged}.${signature}` });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_token');
  });

  it('rejects an unsigned alg:none token', async () => {
    const token = new UnsecuredJWT({ role: 'admin' }).setSubject('alice').setIssuer('switchboard').setExpirationTime('1h').encode();
    const res = await server.request('GET', '/v1/me', { token });
    expect(res.status).toBe(401);
  });

  it('rejects a token signed with another secret', async () => {
    const token = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime('1h').sign(new TextEncoder().encode('y'.repeat(40)));
    expect((await server.request('GET', '/v1/me', { token })).status).toBe(401);
  });

  it('revokes the token on logout while other sessions stay valid', async () => {
    const first = (await login('alice@example.com', 'correct horse')).body.access_token;
    const second = (await login('alice@example.com', 'correct horse')).body.access_token;
    expect((await server.request('POST', '/v1/auth/logout', { token: first })).status).toBe(204);
    const revoked = await server.request('GET', '/v1/me', { token: first });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe('invalid_token');
    expect((await server.request('GET', '/v1/me', { token: second })).status).toBe(200);
  });

  it('refuses every token of a disabled user, and their login', async () => {
    const { token } = await server.user(['customer'], 'to-disable');
    expect((await server.request('GET', '/v1/me', { token })).status).toBe(200);
    const disabled = await server.request('PUT', '/v1/users/to-disable', { apiKey: TEST_API_KEY, body: { disabled: true } });
    expect(disabled.status).toBe(200);
    const res = await server.request('GET', '/v1/me', { token });
    expect(res.status).toBe(401);
    expect(['user_disabled', 'invalid_token']).toContain(res.body.error.code);
  });

  it('ends every session of a user on revoke-tokens', async () => {
    const { token } = await server.user(['customer'], 'revoke-all');
    await new Promise((r) => setTimeout(r, 1100));
    expect((await server.request('POST', '/v1/users/revoke-all/revoke-tokens', { apiKey: TEST_API_KEY })).status).toBe(204);
    expect((await server.request('GET', '/v1/me', { token })).status).toBe(401);
  });

  it('accepts a host-app token signed with the shared secret and provisions its user', async () => {
    const token = await new SignJWT({ role: 'customer', name: 'Host User', email: 'host@example.com' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('host-user-1')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    const res = await server.request('GET', '/v1/me', { token });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: 'host-user-1', display_name: 'Host User', roles: ['customer'] });
  });

  it('rejects a host-app token for an unknown user that names no role', async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('ghost').setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
    expect((await server.request('GET', '/v1/me', { token })).status).toBe(401);
  });

  it('rejects an API key it does not know', async () => {
    const res = await server.request('PUT', '/v1/users/x', { apiKey: 'not-a-known-key-at-all', body: { roles: ['customer'] } });
    expect(res.status).toBe(401);
  });

  it('forbids user management to a user without users.manage', async () => {
    const { token } = await server.user(['customer']);
    const res = await server.request('PUT', '/v1/users/someone', { token, body: { roles: ['admin'] } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });
});

describe('host-app tokens verified by JWKS', () => {
  let jwks: JwksHost;
  let server: TestServer;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    jwks = await startJwksHost();
    privateKey = jwks.privateKey;
    server = await startTestServer({ JWKS_URL: jwks.url, JWT_ISSUER: 'https://host.example', JWT_AUDIENCE: 'switchboard' });
  });
  afterAll(async () => {
    await server.close();
    await jwks.close();
  });

  const sign = (claims: Record<string, unknown>, issuer = 'https://host.example', audience = 'switchboard') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('jwks-user').setIssuer(issuer).setAudience(audience).setExpirationTime('1h').sign(privateKey);

  it('accepts an RS256 token whose key, issuer and audience match', async () => {
    const res = await server.request('GET', '/v1/me', { token: await sign({ roles: ['agent', 'support'] }) });
    expect(res.status).toBe(200);
    expect(res.body.user.roles).toEqual(['agent', 'support']);
  });

  it('rejects a token from another issuer or for another audience', async () => {
    expect((await server.request('GET', '/v1/me', { token: await sign({ role: 'support' }, 'https://evil.example') })).status).toBe(401);
    expect((await server.request('GET', '/v1/me', { token: await sign({ role: 'support' }, undefined, 'other') })).status).toBe(401);
  });
});
