import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserActor } from '../../src/core/actor.js';
import { CredentialCache } from '../../src/identity/credential-cache.js';
import { Cluster, clusterServices, CLUSTER_API_KEY, eventually, type ClusterUser } from '../support/cluster.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

/**
 * A node keeps the tokens it checked for AUTH_CACHE_MS, and still refuses one at the next connect
 * or request once its user is disabled, its session is revoked or its roles change: every such
 * change makes every node forget the user's checked tokens. The cache lives a minute here, so a
 * refusal seen sooner can only come from that.
 */

const SECRET = new TextEncoder().encode('x'.repeat(40));
const hostToken = (sub: string, roles: string[]) => new SignJWT({ roles }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().setExpirationTime('1h').sign(SECRET);

/** Opens a native socket and tells how it went: the first frame, or the refusal's close code. */
async function connectOutcome(url: string, token: string): Promise<'authenticated' | number> {
  const client = await TestWsClient.connect(url, token);
  try {
    // A refusal comes as a frame (auth_error) and then the close.
    const first = await client.next(() => true, 10_000);
    if (first.type === 'authenticated') return 'authenticated';
    return (await client.waitClose()).code;
  } finally {
    client.ws.terminate();
  }
}

describe('checked tokens on one node', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ AUTH_CACHE_MS: '60000' });
  });
  afterAll(() => server?.close());

  const me = (token: string) => server.request('GET', '/v1/me', { token });

  it('refuses a kept token at once when the user is disabled', async () => {
    const who = await server.user(['CONTROL_STAFF']);
    expect(await connectOutcome(server.url, who.token)).toBe('authenticated');
    expect((await me(who.token)).status).toBe(200);
    expect((await server.request('PUT', `/v1/users/${who.user.id}`, { apiKey: TEST_API_KEY, body: { disabled: true } })).status).toBe(200);
    expect(await connectOutcome(server.url, who.token)).toBe(4001);
    expect((await me(who.token)).status).toBe(401);
  });

  it('refuses a kept token at once after its logout, and every token of the user after revoke-tokens', async () => {
    const who = await server.user(['CONTROL_STAFF']);
    const other = await server.services.tokens.mint(who.user);
    for (const token of [who.token, other]) expect(await connectOutcome(server.url, token)).toBe('authenticated');
    expect((await server.request('POST', '/v1/auth/logout', { token: who.token })).status).toBe(204);
    expect(await connectOutcome(server.url, who.token)).toBe(4001);
    expect(await connectOutcome(server.url, other)).toBe('authenticated');
    expect((await server.request('POST', `/v1/users/${who.user.id}/revoke-tokens`, { apiKey: TEST_API_KEY })).status).toBe(204);
    expect(await connectOutcome(server.url, other)).toBe(4001);
  });

  it('gives a kept token the roles the host set since', async () => {
    const id = `roles-${Date.now()}`;
    const token = await hostToken(id, ['CONTROL_STAFF']);
    expect((await me(token)).body.user.roles).toEqual(['CONTROL_STAFF']);
    // A second later, so the API's statement of the roles is newer than the token's iat.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await server.request('PUT', `/v1/users/${id}`, { apiKey: TEST_API_KEY, body: { roles: ['BUS_DRIVER'] } })).status).toBe(200);
    expect((await me(token)).body.user.roles).toEqual(['BUS_DRIVER']);
  });

  it('keeps a token checked against a change no event announced, which is what the invalidation is for', async () => {
    const who = await server.user(['CONTROL_STAFF']);
    expect(await connectOutcome(server.url, who.token)).toBe('authenticated');
    // Written to the store behind the services' back: no event, so only the cache's age ends it.
    await server.services.store.users.upsert({ id: who.user.id, disabled: true });
    expect(await connectOutcome(server.url, who.token)).toBe('authenticated');
    expect((await me(who.token)).status).toBe(200);
  });
});

describe('checked tokens with AUTH_CACHE_MS=0', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ AUTH_CACHE_MS: '0' });
  });
  afterAll(() => server?.close());

  it('checks the store on every connect', async () => {
    const who = await server.user(['CONTROL_STAFF']);
    expect(await connectOutcome(server.url, who.token)).toBe('authenticated');
    await server.services.store.users.upsert({ id: who.user.id, disabled: true });
    expect(await connectOutcome(server.url, who.token)).toBe(4001);
  });
});

const services = clusterServices();

describe.skipIf(!services)('checked tokens across two nodes', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await Cluster.start(services!, { nodes: 2, env: { AUTH_CACHE_MS: '60000' } });
  }, 200_000);
  afterAll(() => cluster?.close());

  /** Connected once on node 1, so node 1 holds the token checked. */
  async function keptOnNode1(): Promise<ClusterUser> {
    const who = await cluster.user(['CONTROL_STAFF'], { node: 0 });
    expect(await connectOutcome(cluster.node(1).url, who.token)).toBe('authenticated');
    return who;
  }

  it('refuses on node 1 a token it kept, once node 0 disabled the user', async () => {
    const who = await keptOnNode1();
    expect((await cluster.request(0, 'PUT', `/v1/users/${who.id}`, { apiKey: CLUSTER_API_KEY, body: { disabled: true } })).status).toBe(200);
    // The event crosses Redis: well within a few seconds, far from the minute the cache would keep it.
    await eventually(async () => (await connectOutcome(cluster.node(1).url, who.token)) === 4001, 5000, 'node 1 refuses the disabled user');
  });

  it('refuses on node 1 a token it kept, once node 0 revoked the user’s tokens', async () => {
    const who = await keptOnNode1();
    expect((await cluster.request(0, 'POST', `/v1/users/${who.id}/revoke-tokens`, { apiKey: CLUSTER_API_KEY })).status).toBe(204);
    await eventually(async () => (await connectOutcome(cluster.node(1).url, who.token)) === 4001, 5000, 'node 1 refuses the revoked token');
  });
});

describe('the cache itself', () => {
  const actor = (userId: string, exp: number) => ({ kind: 'user', user: { id: userId }, token: { exp } }) as unknown as UserActor;
  const inAnHour = () => Date.now() + 3_600_000;

  it('does not keep a check that began before a user was forgotten', () => {
    const cache = new CredentialCache({ maxAgeMs: 60_000 });
    const ticket = cache.ticket();
    cache.forget('someone');
    cache.put('k', actor('u', 0), inAnHour(), ticket);
    expect(cache.get('k')).toBeUndefined();
    cache.put('k', actor('u', 0), inAnHour(), cache.ticket());
    expect(cache.get('k')).toBeDefined();
  });

  it('keeps an entry no longer than the credential lives, nor than maxAgeMs', async () => {
    const cache = new CredentialCache({ maxAgeMs: 50 });
    cache.put('short', actor('u', 0), Date.now() + 20, cache.ticket());
    cache.put('long', actor('v', 0), inAnHour(), cache.ticket());
    cache.put('gone', actor('w', 0), Date.now() - 1, cache.ticket());
    expect(cache.get('gone')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 30));
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('long')).toBeDefined();
    await new Promise((r) => setTimeout(r, 40));
    expect(cache.get('long')).toBeUndefined();
  });

  it('forgets only the user named, and keeps at most maxEntries', () => {
    const cache = new CredentialCache({ maxAgeMs: 60_000, maxEntries: 3 });
    for (const [key, user] of [['a', 'u'], ['b', 'v'], ['c', 'u']] as const) cache.put(key, actor(user, 0), inAnHour(), cache.ticket());
    cache.forget('u');
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map((a) => a?.user.id)).toEqual([undefined, 'v', undefined]);
    for (const key of ['d', 'e', 'f']) cache.put(key, actor('x', 0), inAnHour(), cache.ticket());
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
  });
});
