import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/cluster.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { openDescriptors, rawExchange, upgradeRequest, type RawOutcome } from './raw-http.js';

/**
 * Shorter than the default, so the test waits on the configured behaviour; not so short that a
 * flood's complete headers, sent at once, wait that long for a server busy beside other suites.
 */
const HEADERS_TIMEOUT_MS = 4000;
/** Bare upgrades in the flood, sent this many at a time (loopback, bounded). */
const FLOOD = 2000;
const CONCURRENCY = 250;

/** What each kind of unserved upgrade must be answered. */
const CASES: readonly { readonly path: string; readonly status: number }[] = [
  // Engine.IO serves `/socket.io/…` only: these were claimed for it and never answered.
  { path: '/socket.io', status: 404 },
  { path: '/socket.io?EIO=4&transport=websocket', status: 404 },
  { path: '/nowhere', status: 404 },
  { path: '/socket.iox/', status: 404 },
  // Served paths, but not valid WebSocket handshakes (no Sec-WebSocket-Key, a bad transport).
  { path: '/socket.io/?EIO=4&transport=websocket', status: 400 },
  { path: '/socket.io/?EIO=4&transport=carrier-pigeon', status: 400 },
  { path: '/v1/ws', status: 400 },
];

const connections = (server: Server) => new Promise<number>((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));

describe('upgrades no gateway serves', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), AUTH_TIMEOUT_MS: '1000' });
  });
  afterAll(() => server?.close());

  const port = () => Number(new URL(server.url).port);

  it(`answers each of ${FLOOD} bare upgrades (400 or 404) and closes it, and the server holds no socket afterwards`, async () => {
    const baseline = await connections(server.app.server);
    const descriptorsBefore = openDescriptors();
    const outcomes: { readonly expected: number; readonly outcome: RawOutcome }[] = [];
    for (let sent = 0; sent < FLOOD; sent += CONCURRENCY) {
      const batch = Array.from({ length: Math.min(CONCURRENCY, FLOOD - sent) }, (_, i) => CASES[(sent + i) % CASES.length]!);
      // Generous bounds: the answers come at once, but a machine running other suites can delay them.
      const answered = await Promise.all(batch.map(({ path }) => rawExchange(port(), upgradeRequest(path), 10_000)));
      answered.forEach((outcome, i) => outcomes.push({ expected: batch[i]!.status, outcome }));
    }
    try {
      for (const { expected, outcome } of outcomes) {
        expect(outcome.status).toMatch(new RegExp(`^HTTP/1\\.1 ${expected} `));
        expect(outcome.ended).toBe(true);
      }
      // The clients still hold their side open: only a server that destroyed its sockets is back.
      await eventually(async () => (await connections(server.app.server)) <= baseline, 15_000, 'server sockets back to the baseline');
    } finally {
      for (const { outcome } of outcomes) outcome.socket.destroy();
    }
    if (descriptorsBefore !== undefined) {
      await eventually(async () => openDescriptors()! <= descriptorsBefore + 5, 15_000, 'open descriptors back to the baseline');
    }
    expect((await server.request('GET', '/health')).status).toBe(200);
  });

  it('answers 408 and closes a connection that never finishes its request headers, upgrade or not', async () => {
    const baseline = await connections(server.app.server);
    const partial = ['', 'GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n', 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n'];
    // Bounded by the configured timeout plus Node's check interval (half of it) and a margin.
    const outcomes = await Promise.all(partial.map((bytes) => rawExchange(port(), bytes, HEADERS_TIMEOUT_MS * 2 + 3000)));
    try {
      for (const outcome of outcomes) expect(outcome).toMatchObject({ status: expect.stringMatching(/^HTTP\/1\.1 408 /), ended: true });
      await eventually(async () => (await connections(server.app.server)) <= baseline, 15_000, 'server sockets back to the baseline');
    } finally {
      for (const outcome of outcomes) outcome.socket.destroy();
    }
  });
});
