import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, openAdmin, testKeyPrefix } from '../bus/redis-test-kit.js';
import { passwordHasher } from '../../src/identity/password-hasher.js';
import { requiredService } from '../support/required-service.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Password guessing is throttled on every login endpoint: consecutive failures per account and
 * client address block that pair; a slower cap blocks an address guessing across accounts. The
 * answer is 429 `rate_limited` in each profile's shape, with Retry-After.
 */

const PASSWORD = 'correct horse battery';

/** A POST from a chosen loopback address (127.0.0.x), so tests can be several clients. */
function postFrom(server: TestServer, address: string, path: string, body: unknown): Promise<{ status: number; body: any; retryAfter: string | undefined }> {
  const { port } = new URL(server.url);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', localAddress: address, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), retryAfter: res.headers['retry-after'] as string | undefined }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

interface LoginEndpoint {
  readonly path: string;
  /** The role that may use it (the agents' login refuses others). */
  readonly role: string;
  /** Asserts the profile's own shape of a 429. */
  shaped(body: any, retryAfter: number): void;
}

const ENDPOINTS: readonly LoginEndpoint[] = [
  { path: '/v1/auth/login', role: 'customer', shaped: (body, s) => expect(body).toEqual({ error: { code: 'rate_limited', message: `Too many failed logins: try again in ${s} s`, details: { retry_after: s }, retryable: true } }) },
  { path: '/api/accounts/login', role: 'BUS_DRIVER', shaped: (body, s) => expect(body).toEqual({ detail: `Too many failed logins: try again in ${s} s` }) },
  { path: '/api/v1/auth/login', role: 'customer', shaped: (body, s) => expect(body).toEqual({ success: false, error: `Too many failed logins: try again in ${s} s`, code: 'rate_limited', retryable: true, retry_after: s }) },
  { path: '/api/v1/support/auth/login', role: 'support', shaped: (body, s) => expect(body).toEqual({ success: false, error: `Too many failed logins: try again in ${s} s`, code: 'rate_limited', retryable: true, retry_after: s }) },
];

let accounts = 0;
async function account(server: TestServer, role: string): Promise<string> {
  const email = `login-${process.pid}-${++accounts}@example.com`;
  await server.services.store.users.upsert({ id: `login-${process.pid}-${accounts}`, email, passwordHash: await passwordHasher.hash(PASSWORD), displayName: email, roles: [role] });
  return email;
}

describe('login throttling', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ LOGIN_MAX_CONSECUTIVE_FAILURES: '3', LOGIN_BLOCK_SECONDS: '600', LOGIN_MAX_FAILURES_PER_ADDRESS: '1000' });
  });
  afterAll(() => server.close());

  it.each(ENDPOINTS)('$path: after 3 wrong passwords for an account from one address, refuses it there with 429 in its own shape, even with the right password', async (endpoint) => {
    const email = await account(server, endpoint.role);
    for (let i = 0; i < 3; i++) expect((await postFrom(server, '127.0.0.2', endpoint.path, { email, password: 'wrong' })).status).toBe(401);
    const blocked = await postFrom(server, '127.0.0.2', endpoint.path, { email, password: PASSWORD });
    expect(blocked.status).toBe(429);
    const retryAfter = Number(blocked.retryAfter);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    endpoint.shaped(blocked.body, retryAfter);
    // Its owner, elsewhere, is not locked out by whoever hammers it.
    expect((await postFrom(server, '127.0.0.3', endpoint.path, { email, password: PASSWORD })).status).toBe(200);
  });

  it('counts every login endpoint together: guesses spread over them meet one limit', async () => {
    const email = await account(server, 'customer');
    for (const path of ['/v1/auth/login', '/api/accounts/login', '/api/v1/auth/login']) expect((await postFrom(server, '127.0.0.4', path, { email, password: 'wrong' })).status).toBe(401);
    expect((await postFrom(server, '127.0.0.4', '/v1/auth/login', { email, password: PASSWORD })).status).toBe(429);
  });

  it('answers 60 wrong passwords in a row with 3 refusals of the password and 57 of the attempt', async () => {
    const email = await account(server, 'CONTROL_ADMIN');
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await postFrom(server, '127.0.0.5', '/v1/auth/login', { email, password: `guess-${i}` })).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(57);
  });

  it('forgets a run of failures once the right password gets in', async () => {
    const email = await account(server, 'customer');
    const attempt = (password: string) => postFrom(server, '127.0.0.6', '/v1/auth/login', { email, password });
    const statuses = [];
    for (const password of ['wrong', 'wrong', PASSWORD, 'wrong', 'wrong', PASSWORD]) statuses.push((await attempt(password)).status);
    expect(statuses).toEqual([401, 401, 200, 401, 401, 200]);
  });

  it('throttles unknown accounts like known ones, so a 429 tells nothing about which emails exist', async () => {
    for (let i = 0; i < 3; i++) expect((await postFrom(server, '127.0.0.7', '/v1/auth/login', { email: 'nobody@example.com', password: 'x' })).status).toBe(401);
    expect((await postFrom(server, '127.0.0.7', '/v1/auth/login', { email: 'Nobody@Example.com ', password: 'x' })).status).toBe(429);
  });
});

describe('login throttling per address', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ LOGIN_MAX_CONSECUTIVE_FAILURES: '100', LOGIN_MAX_FAILURES_PER_ADDRESS: '5' });
  });
  afterAll(() => server.close());

  it('blocks an address that guesses across many accounts, and only that address', async () => {
    const emails = await Promise.all(Array.from({ length: 6 }, () => account(server, 'customer')));
    for (const email of emails.slice(0, 5)) expect((await postFrom(server, '127.0.0.8', '/v1/auth/login', { email, password: 'wrong' })).status).toBe(401);
    const blocked = await postFrom(server, '127.0.0.8', '/v1/auth/login', { email: emails[5], password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.details.retry_after).toBeGreaterThan(0);
    expect((await postFrom(server, '127.0.0.9', '/v1/auth/login', { email: emails[5], password: PASSWORD })).status).toBe(200);
  });
});

const redisUrl = requiredService('TEST_REDIS_URL', 'Redis (login throttling across nodes)');

describe.runIf(redisUrl)('login throttling with REDIS_URL', () => {
  const nodes: TestServer[] = [];
  const keyPrefix = testKeyPrefix();
  beforeAll(async () => {
    const env = { REDIS_URL: redisUrl!, REDIS_KEY_PREFIX: keyPrefix, LOGIN_MAX_CONSECUTIVE_FAILURES: '3' };
    nodes.push(await startTestServer(env), await startTestServer(env));
  });
  afterAll(async () => {
    for (const node of nodes) await node.close();
    const admin = await openAdmin(redisUrl!);
    await deleteKeys(admin, keyPrefix);
    await admin.quit();
  });

  it('shares the count between nodes: failures on one block the account-and-address pair on the other', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const email = 'spread@example.com';
    for (const node of [a, b, a]) expect((await postFrom(node, '127.0.0.10', '/v1/auth/login', { email, password: 'wrong' })).status).toBe(401);
    expect((await postFrom(b, '127.0.0.10', '/v1/auth/login', { email, password: 'wrong' })).status).toBe(429);
    expect((await postFrom(a, '127.0.0.10', '/v1/auth/login', { email, password: 'wrong' })).status).toBe(429);
  });
});
