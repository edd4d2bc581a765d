import { SignJWT, type JWTPayload } from 'jose';
import { startJwksHost, type JwksHost } from '../support/jwks-host.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requiredService } from '../support/required-service.js';
import { createScratchPostgres, dropScratchPostgres, type ScratchPostgres } from '../support/scratch-postgres.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

/**
 * Host-app tokens: every one expires (`exp` required, and at most JWT_MAX_AGE_SECONDS after
 * `iat`), and none gives back roles the host app has since taken away through the API.
 */

const SECRET = new TextEncoder().encode('x'.repeat(40));
const now = () => Math.floor(Date.now() / 1000);

/** A host token signed with the shared secret; `iat`/`exp` only when given. */
function hostToken(sub: string, claims: JWTPayload & Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).sign(SECRET);
}

describe('the lifetime of host-app tokens', () => {
  let jwks: JwksHost;
  let server: TestServer;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    jwks = await startJwksHost();
    privateKey = jwks.privateKey;
    server = await startTestServer({ JWKS_URL: jwks.url, JWT_MAX_AGE_SECONDS: '3600' });
  });
  afterAll(async () => {
    await server.close();
    await jwks.close();
  });

  const me = (token: string) => server.request('GET', '/v1/me', { token });
  const jwksToken = (claims: JWTPayload & Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('jwks-user').sign(privateKey);

  it('refuses a host token without exp, signed with the shared secret or by the JWKS', async () => {
    for (const token of [await hostToken('no-exp-hs', { role: 'customer', iat: now() }), await jwksToken({ role: 'customer', iat: now() })]) {
      const res = await me(token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_token');
    }
    expect((await me(await jwksToken({ role: 'customer', iat: now(), exp: now() + 600 }))).status).toBe(200);
  });

  it('refuses a host token issued longer ago than JWT_MAX_AGE_SECONDS, whatever its exp says', async () => {
    const old = await me(await hostToken('old-token', { role: 'customer', iat: now() - 3700, exp: now() + 86_400 * 365 }));
    expect(old.status).toBe(401);
    expect(old.body.error.code).toBe('invalid_token');
    expect((await me(await hostToken('young-token', { role: 'customer', iat: now() - 60, exp: now() + 86_400 * 365 }))).status).toBe(200);
  });

  it('refuses a host token without iat that claims to live longer than the maximum age', async () => {
    expect((await me(await hostToken('far-exp', { role: 'customer', exp: now() + 7200 }))).status).toBe(401);
    expect((await me(await hostToken('near-exp', { role: 'customer', exp: now() + 600 }))).status).toBe(200);
  });

  it('refuses a host token issued in the future beyond clock skew', async () => {
    expect((await me(await hostToken('future-iat', { role: 'customer', iat: now() + 3000, exp: now() + 3600 }))).status).toBe(401);
  });
});

describe('an open connection on a host token', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ JWT_MAX_AGE_SECONDS: '60' });
  });
  afterAll(() => server.close());

  it('ends when the token reaches its maximum age, not at a far exp', async () => {
    const token = await hostToken('aging-host-user', { role: 'CONTROL_STAFF', iat: now() - 57, exp: now() + 86_400 });
    const client = await TestWsClient.authenticated(server.url, token);
    try {
      const closed = await client.waitClose(10_000);
      expect(closed.code).toBeGreaterThanOrEqual(4000);
    } finally {
      client.close();
    }
  });
});

interface StoreCase {
  readonly name: string;
  env(): Promise<Record<string, string>>;
  cleanup?(): Promise<void>;
}

const adminUrl = requiredService('TEST_DATABASE_URL', 'PostgreSQL (host token roles)');
let scratch: ScratchPostgres | undefined;
const STORES: StoreCase[] = [{ name: 'sqlite', env: async () => ({}) }];
if (adminUrl) {
  STORES.push({
    name: 'postgres',
    env: async () => {
      scratch = await createScratchPostgres(adminUrl, 'host_roles');
      return { DATABASE_URL: scratch.url };
    },
    cleanup: async () => {
      if (scratch) await dropScratchPostgres(adminUrl, scratch.name);
    },
  });
}

describe.each(STORES)('roles in host tokens against roles set through the API, on $name', (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(await store.env());
  });
  afterAll(async () => {
    await server.close();
    await store.cleanup?.();
  });

  const roles = async (token: string) => (await server.request('GET', '/v1/me', { token })).body.user?.roles;

  it('keeps roles the host removed with PUT /v1/users/{id} away from a token issued before, and lets a newer token set them', async () => {
    const id = `host-roles-${store.name}`;
    const old = await hostToken(id, { roles: ['support'], iat: now() - 30, exp: now() + 3600 });
    expect(await roles(old)).toEqual(['support']);

    const demoted = await server.request('PUT', `/v1/users/${id}`, { apiKey: TEST_API_KEY, body: { roles: ['customer'] } });
    expect(demoted.status).toBe(200);
    expect(await roles(old)).toEqual(['customer']);
    expect((await server.request('GET', '/v1/support/cases', { token: old })).body.cases).toEqual([]);

    // Issued after the change (within clock skew): the host's newest word.
    const promoted = await hostToken(id, { roles: ['admin'], iat: now() + 5, exp: now() + 3600 });
    expect(await roles(promoted)).toEqual(['admin']);
    expect(await roles(old)).toEqual(['admin']);
  });

  it('still provisions a user from a first host token and follows a later one', async () => {
    const id = `host-new-${store.name}`;
    expect(await roles(await hostToken(id, { roles: ['customer'], iat: now() - 20, exp: now() + 3600 }))).toEqual(['customer']);
    expect(await roles(await hostToken(id, { roles: ['restaurant_owner'], iat: now() - 10, exp: now() + 3600 }))).toEqual(['restaurant_owner']);
    expect(await roles(await hostToken(id, { roles: ['customer'], iat: now() - 15, exp: now() + 3600 }))).toEqual(['restaurant_owner']);
  });
});
