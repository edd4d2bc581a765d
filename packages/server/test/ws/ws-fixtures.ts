import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { expect } from 'vitest';
import { TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

export type Frame = Record<string, any>;
export interface TestUser {
  readonly user: { readonly id: string };
  readonly token: string;
}

/**
 * The clients a test opened, closed after it so no socket outlives its test. Every test file
 * makes one and calls `closeAll` in `afterEach`.
 */
export class OpenClients {
  private readonly open: TestWsClient[] = [];

  constructor(private readonly server: () => TestServer) {}

  /** Connects on `path` with `?token=` and waits for the welcome frame. */
  async as(who: TestUser, path = '/v1/ws'): Promise<TestWsClient> {
    return this.track(await TestWsClient.authenticated(this.server().url, who.token, { path }));
  }

  /** Connects without waiting for the welcome (for failures and other token carriers). */
  async raw(token: string | undefined, options: Parameters<typeof TestWsClient.connect>[2] = {}): Promise<TestWsClient> {
    return this.track(await TestWsClient.connect(this.server().url, token, options));
  }

  track(client: TestWsClient): TestWsClient {
    this.open.push(client);
    return client;
  }

  closeAll(): void {
    for (const client of this.open.splice(0)) {
      if (!client.closed) client.ws.terminate();
    }
  }
}

/** A user with the given roles, named and with an email, as GuzoSync's participant lists show them. */
export async function namedUser(server: TestServer, roles: string[], first: string, last: string): Promise<TestUser & { email: string }> {
  const made = await server.user(roles);
  const email = `${made.user.id}@example.com`.toLowerCase();
  const res = await server.request('PUT', `/v1/users/${made.user.id}`, { apiKey: TEST_API_KEY, body: { email, first_name: first, last_name: last } });
  expect(res.status).toBe(200);
  return { ...made, email };
}

/** A conversation created over REST by `owner` with `members`; returns its id. */
export async function conversation(server: TestServer, owner: TestUser, members: readonly TestUser[], body: Record<string, unknown> = {}): Promise<string> {
  const res = await server.request('POST', '/v1/conversations', { token: owner.token, body: { participant_ids: members.map((m) => m.user.id), ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.conversation.id as string;
}

/** Sends over REST and returns the committed message (v1 JSON). */
export async function restSend(server: TestServer, who: TestUser, conversationId: string, content: string, extra: Record<string, unknown> = {}): Promise<Frame> {
  const res = await server.request('POST', `/v1/conversations/${conversationId}/messages`, { token: who.token, body: { content, ...extra } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.message;
}

/** Every committed message of a conversation over REST, in seq order. */
export async function restHistory(server: TestServer, who: TestUser, conversationId: string): Promise<Frame[]> {
  const all: Frame[] = [];
  for (let after = 0; ; ) {
    const res = await server.request('GET', `/v1/conversations/${conversationId}/messages?after_seq=${after}&limit=100`, { token: who.token });
    expect(res.status).toBe(200);
    all.push(...res.body.messages);
    if (!res.body.has_more) return all;
    after = all.at(-1)!.seq;
  }
}

/** Open native WebSocket connections as the server's own metrics count them. */
export async function openConnections(server: TestServer): Promise<number> {
  const res = await server.request('GET', '/metrics');
  const line = (res.body as string).split('\n').find((l) => l.startsWith('switchboard_connections{gateway="native"}'));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

/** Polls `probe` until it returns true (for server state no frame announces), failing after `timeoutMs`. */
export async function eventually(probe: () => Promise<boolean> | boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Deterministic PRNG (mulberry32), so a fuzz run can be replayed from its seed. */
export function prng(seed: number): { next(): number; int(n: number): number; pick<T>(items: readonly T[]): T; bytes(n: number): Buffer } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: (items) => items[int(items.length)]!,
    bytes: (n) => Buffer.from(Array.from({ length: n }, () => int(256))),
  };
}

/** A masked client frame (RFC 6455) written by hand: text 0x1, binary 0x2. */
export function clientFrame(payload: Buffer, opcode: 0x1 | 0x2 = 0x1): Buffer {
  const mask = randomBytes(4);
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, 0x80 | length])
      : length < 65536
        ? Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(length)); return b; })()]);
  const body = Buffer.alloc(length);
  for (let i = 0; i < length; i++) body[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([header, mask, body]);
}

/**
 * A bare TCP socket that performs the WebSocket upgrade by hand, with `after` written in the same
 * packet as the request (so those bytes reach the server before it has authenticated anyone).
 */
export async function rawUpgrade(server: TestServer, pathAndQuery: string, after: Buffer = Buffer.alloc(0)): Promise<{ socket: Socket; received: () => Buffer }> {
  const url = new URL(server.url);
  const socket = netConnect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let received = Buffer.alloc(0);
  socket.on('data', (chunk) => (received = Buffer.concat([received, chunk])));
  socket.on('error', () => {});
  const request = [`GET ${pathAndQuery} HTTP/1.1`, `Host: ${url.host}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13', '', ''].join('\r\n');
  socket.write(Buffer.concat([Buffer.from(request), after]));
  return { socket, received: () => received };
}

/** Text payloads of the unmasked server frames in `bytes` after the HTTP response head. */
export function serverTextFrames(bytes: Buffer): string[] {
  const start = bytes.indexOf('\r\n\r\n');
  if (start < 0) return [];
  const frames: string[] = [];
  let i = start + 4;
  while (i + 2 <= bytes.length) {
    const opcode = bytes[i]! & 0x0f;
    let length = bytes[i + 1]! & 0x7f;
    let offset = i + 2;
    if (length === 126) {
      if (offset + 2 > bytes.length) break;
      length = bytes.readUInt16BE(offset);
      offset += 2;
    } else if (length === 127) {
      if (offset + 8 > bytes.length) break;
      length = Number(bytes.readBigUInt64BE(offset));
      offset += 8;
    }
    if (offset + length > bytes.length) break;
    if (opcode === 0x1) frames.push(bytes.subarray(offset, offset + length).toString('utf8'));
    i = offset + length;
  }
  return frames;
}

/**
 * Records the server side of every upgraded socket whose request URL contains `needle`, through
 * the HTTP server's public `upgrade` event. Lets a test see how much the server has buffered.
 */
export function watchUpgrades(server: TestServer, needle: string): { sockets: Duplex[]; stop(): void } {
  const sockets: Duplex[] = [];
  const listener = (request: { url?: string }, socket: Duplex) => {
    if ((request.url ?? '').includes(needle)) sockets.push(socket);
  };
  server.app.server.on('upgrade', listener);
  return { sockets, stop: () => void server.app.server.off('upgrade', listener) };
}
