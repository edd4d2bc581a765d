import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { MemoryPresence } from '../../src/realtime/presence.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { eventually } from '../support/cluster.js';
import { TestSioClient } from '../support/sio-client.js';
import { TestWsClient } from '../support/ws-client.js';

const API_KEY = 'admission-test-api-key-0123456789';
/** Short, so the test waits on the configured deadline rather than the default. */
const AUTH_TIMEOUT_MS = 500;

/** Presence whose connection count can be made to never answer: admission then never finishes. */
class StallablePresence extends MemoryPresence {
  stalled = false;
  override connectionCount(userId: string): Promise<number> {
    return this.stalled ? new Promise(() => {}) : super.connectionCount(userId);
  }
}

interface Node {
  readonly server: RunningServer;
  readonly presence: StallablePresence;
  token(id: string): Promise<string>;
  close(): Promise<void>;
}

async function startNode(env: Record<string, string>): Promise<Node> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-admission-'));
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', API_KEYS: API_KEY, JWT_SECRET: 'x'.repeat(40), AUTH_TIMEOUT_MS: String(AUTH_TIMEOUT_MS), ...env });
  const presence = new StallablePresence();
  const server = await startServer(config, { overrides: { presence } });
  return {
    server,
    presence,
    async token(id) {
      const res = await fetch(`${server.url}/v1/users/${id}`, { method: 'PUT', headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ roles: ['customer'], display_name: id }) });
      if (res.status !== 201 && res.status !== 200) throw new Error(`user ${id}: ${res.status}`);
      return server.services.tokens.mint((await server.services.store.users.byId(id))!);
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const connections = (server: Server) => new Promise<number>((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));

/** A bare Engine.IO WebSocket that opens its session and never connects to a namespace. */
async function bareEngineIo(url: string): Promise<{ ws: WebSocket; opened: string; closed: Promise<number> }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const opened = await new Promise<string>((resolve, reject) => {
    ws.once('message', (data) => resolve(data.toString()));
    ws.once('error', reject);
  });
  return { ws, opened, closed };
}

describe('connections that do not authenticate', () => {
  let node: Node;
  beforeAll(async () => {
    node = await startNode({});
  });
  afterAll(() => node?.close());

  it('closes an Engine.IO connection that never connects to a namespace once AUTH_TIMEOUT_MS has passed', async () => {
    const baseline = await connections(node.server.app.server);
    const { ws, opened, closed } = await bareEngineIo(node.server.url);
    expect(opened).toMatch(/^0\{"sid":/);
    // Poll deadline well past the configured 500 ms, far below Socket.IO's own 45 s.
    const code = await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r('still open'), 5000))]);
    ws.terminate();
    expect(code).not.toBe('still open');
    await eventually(async () => (await connections(node.server.app.server)) <= baseline, 3000, 'server sockets back to the baseline');
  });

  it('closes a native WebSocket whose admission does not finish in time with 1013 (retry later)', async () => {
    const token = await node.token('stalled-native');
    node.presence.stalled = true;
    try {
      const client = await TestWsClient.connect(node.server.url, token);
      expect(await client.waitClose(5000)).toMatchObject({ code: 1013 });
      expect(client.frames.some((f) => f.type === 'authenticated')).toBe(false);
    } finally {
      node.presence.stalled = false;
    }
    // Admission answering again: the same token connects.
    const again = await TestWsClient.authenticated(node.server.url, token);
    again.ws.terminate();
  });

  it('keeps an authenticated connection open past the deadline', async () => {
    const client = await TestWsClient.authenticated(node.server.url, await node.token('in-time'));
    await new Promise((r) => setTimeout(r, AUTH_TIMEOUT_MS * 3));
    expect(client.closed).toBeUndefined();
    expect(await client.request('ping')).toMatchObject({ type: 'pong' });
    client.ws.terminate();
  });
});

describe('MAX_CONNECTIONS_PER_ADDRESS', () => {
  let node: Node;
  beforeAll(async () => {
    node = await startNode({ MAX_CONNECTIONS_PER_ADDRESS: '3' });
  });
  afterAll(() => node?.close());

  it('caps one address across the native and Socket.IO gateways, unauthenticated sockets included, and frees places as they close', async () => {
    const [a, b, c] = await Promise.all(['addr-a', 'addr-b', 'addr-c'].map((id) => node.token(id)));
    const native = await TestWsClient.authenticated(node.server.url, a!);
    const sio = await TestSioClient.connect(node.server.url, b!);
    const pending = await bareEngineIo(node.server.url);

    // Three places taken (one of them not even authenticated): a fourth is refused on both.
    await expect(TestWsClient.connect(node.server.url, c!)).rejects.toThrow(/429/);
    await expect(TestSioClient.connect(node.server.url, c!)).rejects.toThrow();

    // The unauthenticated one is closed by the deadline, which gives its place back.
    await pending.closed;
    const third = await eventually(() => TestWsClient.authenticated(node.server.url, c!), 3000, 'a place is free again');
    await expect(TestWsClient.connect(node.server.url, c!)).rejects.toThrow(/429/);
    sio.close();
    const fourth = await eventually(() => TestSioClient.connect(node.server.url, c!), 3000, 'the Socket.IO place is free again');
    for (const ws of [native, third]) ws.ws.terminate();
    fourth.close();
  });
});
