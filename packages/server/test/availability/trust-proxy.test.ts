import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

const via = (address: string) => ({ headers: { 'x-forwarded-for': address } });

describe('TRUST_PROXY', () => {
  let behindProxy: TestServer;
  let direct: TestServer;
  beforeAll(async () => {
    behindProxy = await startTestServer({ TRUST_PROXY: 'loopback', MAX_CONNECTIONS_PER_ADDRESS: '1', LOGIN_MAX_CONSECUTIVE_FAILURES: '2' });
    direct = await startTestServer({ MAX_CONNECTIONS_PER_ADDRESS: '1' });
  });
  afterAll(async () => {
    await behindProxy?.close();
    await direct?.close();
  });

  it('counts connections per client behind a trusted proxy, by its X-Forwarded-For', async () => {
    const { token } = await behindProxy.user(['customer']);
    const first = await TestWsClient.connect(behindProxy.url, token, via('203.0.113.7'));
    const other = await TestWsClient.connect(behindProxy.url, token, via('198.51.100.9'));
    try {
      await expect(TestWsClient.connect(behindProxy.url, token, via('203.0.113.7'))).rejects.toThrow(/429/);
    } finally {
      first.ws.terminate();
      other.ws.terminate();
    }
  });

  it('believes no X-Forwarded-For without it: a client cannot pick its own address', async () => {
    const { token } = await direct.user(['customer']);
    const first = await TestWsClient.connect(direct.url, token, via('203.0.113.7'));
    try {
      await expect(TestWsClient.connect(direct.url, token, via('198.51.100.9'))).rejects.toThrow(/429/);
    } finally {
      first.ws.terminate();
    }
  });

  it('throttles logins per client behind the proxy, not per proxy', async () => {
    await behindProxy.request('PUT', '/v1/users/proxied-login', { apiKey: 'test-api-key-0123456789abcdef', body: { roles: ['customer'], email: 'proxied@example.com', password: 'right-password' } });
    const login = (address: string, password: string) => behindProxy.request('POST', '/v1/auth/login', { body: { email: 'proxied@example.com', password }, headers: { 'x-forwarded-for': address } });
    for (let i = 0; i < 2; i++) expect((await login('203.0.113.7', 'wrong')).status).toBe(401);
    expect((await login('203.0.113.7', 'right-password')).status).toBe(429);
    expect((await login('198.51.100.9', 'right-password')).status).toBe(200);
  });

  it('refuses a list proxy-addr cannot read at start', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'not-an-address', JWT_SECRET: 'x'.repeat(40), DATA_DIR: '/tmp/unused' })).toThrow(/TRUST_PROXY/);
  });
});
