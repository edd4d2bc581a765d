import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';
import { TestSioClient } from '../support/sio-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

/** A Socket.IO polling handshake as a browser page of `origin` sends it. */
const sioHandshake = (server: TestServer, origin: string) => fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });

const preflight = (server: TestServer, origin: string) =>
  fetch(`${server.url}/v1/conversations/c1/messages`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });

describe('without CORS_ORIGINS (same-origin only)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('gives no page of another origin a CORS header, on REST or on Socket.IO', async () => {
    const rest = await server.request('GET', '/health', { headers: { origin: EVIL } });
    expect(rest.status).toBe(200);
    expect(rest.headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight(server, EVIL)).headers.get('access-control-allow-origin')).toBeNull();
    const sio = await sioHandshake(server, EVIL);
    expect(sio.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('leaves real-time handshakes unchecked: tokens, not cookies, authenticate them', async () => {
    const { token } = await server.user(['customer']);
    const ws = await TestWsClient.connect(server.url, token, { headers: { origin: EVIL } });
    await ws.next((f) => f.type === 'authenticated');
    ws.ws.terminate();
    const sio = await TestSioClient.connect(server.url, token, { headers: { origin: EVIL } });
    sio.close();
  });
});

describe('with CORS_ORIGINS', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ CORS_ORIGINS: `${APP}, http://localhost:5173` });
  });
  afterAll(() => server?.close());

  it('lets a listed origin call REST, preflight included, and no other', async () => {
    const allowed = await server.request('GET', '/health', { headers: { origin: APP } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
    expect(allowed.headers.get('vary')).toMatch(/origin/i);
    const pre = await preflight(server, APP);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(APP);
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    // The preflight carries no credential, and still is not refused as unauthenticated.
    const refused = await server.request('GET', '/health', { headers: { origin: EVIL } });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight(server, EVIL)).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets a listed origin open a Socket.IO session, and refuses any other before a session exists', async () => {
    const allowed = await sioHandshake(server, APP);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
    const refused = await sioHandshake(server, EVIL);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const { token } = await server.user(['customer']);
    await expect(TestSioClient.connect(server.url, token, { headers: { origin: EVIL } })).rejects.toThrow();
    for (const headers of [{ origin: APP }, {}] as Record<string, string>[]) (await TestSioClient.connect(server.url, token, { headers })).close();
  });

  it('refuses a native WebSocket from a page of an unlisted origin (403), and lets listed, same-origin and non-browser clients in', async () => {
    const { token } = await server.user(['customer']);
    await expect(TestWsClient.connect(server.url, token, { headers: { origin: EVIL } })).rejects.toThrow(/403/);
    await expect(TestWsClient.connect(server.url, token, { headers: { origin: 'null' } })).rejects.toThrow(/403/);
    const ownOrigin = server.url; // the server's own web app: same origin as the host it asked for
    for (const headers of [{ origin: APP }, { origin: ownOrigin }, {}] as Record<string, string>[]) {
      const client = await TestWsClient.connect(server.url, token, { headers });
      await client.next((f) => f.type === 'authenticated');
      client.ws.terminate();
    }
  });
});

describe('CORS_ORIGINS=*', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ CORS_ORIGINS: '*' });
  });
  afterAll(() => server?.close());

  it('lets every origin call REST and connect', async () => {
    expect((await server.request('GET', '/health', { headers: { origin: EVIL } })).headers.get('access-control-allow-origin')).toBe('*');
    const { token } = await server.user(['customer']);
    const client = await TestWsClient.connect(server.url, token, { headers: { origin: EVIL } });
    await client.next((f) => f.type === 'authenticated');
    client.ws.terminate();
  });
});

describe('CORS_ORIGINS validation', () => {
  it('refuses entries that are not origins, listing each', () => {
    try {
      loadConfig({ DATA_DIR: '/tmp/switchboard-cors-config', JWT_SECRET: 'x'.repeat(40), CORS_ORIGINS: 'https://ok.example, https://app.example.com/, app.example.com, ftp://files.example' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(3);
      for (const bad of ['https://app.example.com/', 'app.example.com', 'ftp://files.example']) expect(problems.some((p) => p.includes(`"${bad}"`))).toBe(true);
    }
  });
});
