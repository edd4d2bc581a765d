import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TripSockets, tripUser, type TripUser } from './steppergo-fixtures.js';

const SECRET = 'host-access-secret-0123456789abcdef';

/** What the fake host answers a user: a role, a denial, 404, a hang, or a failure. */
type Verdict = { role: string } | 'denied' | 'unknown' | 'hang' | 'error' | 'garbage';

interface Call {
  readonly body: string;
  readonly headers: IncomingMessage['headers'];
}

/** The host app's access endpoint: a real HTTP server on an ephemeral port. */
class FakeHost {
  readonly calls: Call[] = [];
  readonly verdicts = new Map<string, Verdict>();
  private readonly hanging = new Set<ServerResponse>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeHost> {
    const server = createServer();
    const host = new FakeHost(server);
    server.on('request', (req, res) => host.answer(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return host;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/access`;
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      this.calls.push({ body, headers: req.headers });
      const { user_id } = JSON.parse(body) as { user_id: string };
      const verdict = this.verdicts.get(user_id) ?? 'denied';
      if (verdict === 'hang') {
        this.hanging.add(res);
        return;
      }
      if (verdict === 'unknown') return void res.writeHead(404).end();
      if (verdict === 'error') return void res.writeHead(500).end('boom');
      if (verdict === 'garbage') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"allowed":"yes"}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(verdict === 'denied' ? { allowed: false } : { allowed: true, role: verdict.role }));
    });
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('trip access asked of the host app (HOST_ACCESS_URL)', () => {
  let host: FakeHost;
  let server: TestServer;
  let driver: TripUser;
  let organizer: TripUser;
  let passenger: TripUser;
  const sockets = new TripSockets(() => server);
  let trip = 0;
  let tripId: string;

  beforeAll(async () => {
    host = await FakeHost.start();
    server = await startTestServer({ HOST_ACCESS_URL: host.url, HOST_ACCESS_SECRET: SECRET, HOST_ACCESS_CACHE_SECONDS: '0', HOST_ACCESS_TIMEOUT_MS: '300', SEND_RATE_POINTS: '1000' });
    driver = await tripUser(server, 'DRIVER', 'Tom Driver');
    organizer = await tripUser(server, 'ORGANIZER');
    passenger = await tripUser(server, 'PASSENGER');
  });
  beforeEach(() => {
    tripId = `HT-${++trip}`;
    host.verdicts.clear();
    host.calls.length = 0;
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await server?.close();
    await host?.close();
  });

  it('asks with a signed {user_id, context}, and creates the conversation on first allowed access with the host’s role', async () => {
    host.verdicts.set(driver.id, { role: 'driver' });
    const socket = await sockets.as(driver);
    socket.emit('join:conversation', { tripId });
    const joined = await socket.next('conversation:joined');
    expect(joined).toEqual({ tripId, conversationId: expect.any(String) });
    const [call] = host.calls;
    expect(JSON.parse(call!.body)).toEqual({ user_id: driver.id, context: { type: 'trip', id: tripId } });
    const timestamp = call!.headers['x-switchboard-timestamp'] as string;
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5);
    expect(call!.headers['x-switchboard-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${call!.body}`).digest('hex')}`);
    const participants = await server.services.directory.conversations.participants(joined.conversationId);
    expect(participants.map((p) => [p.userId, p.role])).toEqual([[driver.id, 'driver']]);
  });

  it('follows the role the host answers with now', async () => {
    host.verdicts.set(organizer.id, { role: 'passenger' });
    const { conversationId } = (await server.request('GET', `/api/messages/${tripId}`, { token: organizer.token })).body;
    host.verdicts.set(organizer.id, { role: 'organizer' });
    await server.request('GET', `/api/messages/${tripId}`, { token: organizer.token });
    const participants = await server.services.directory.conversations.participants(conversationId);
    expect(participants.map((p) => [p.userId, p.role])).toEqual([[organizer.id, 'organizer']]);
  });

  it('lets the people the host allows chat in one conversation', async () => {
    host.verdicts.set(driver.id, { role: 'driver' });
    host.verdicts.set(passenger.id, { role: 'passenger' });
    const d = await sockets.joined(driver, tripId);
    const p = await sockets.joined(passenger, tripId);
    const { conversationId } = (await server.request('GET', `/api/messages/${tripId}`, { token: passenger.token })).body;
    d.emit('message:send', { conversationId, content: 'Pick-up at the station' });
    expect(await p.next('message:new')).toMatchObject({ content: 'Pick-up at the station', sender: { role: 'driver', name: 'Tom Driver' } });
  });

  it('answers a denial with "Access denied to this conversation" and a trip the host does not know with "Trip not found"', async () => {
    host.verdicts.set(organizer.id, 'denied');
    const socket = await sockets.as(organizer);
    socket.emit('join:conversation', { tripId });
    expect(await socket.next('error')).toMatchObject({ message: 'Access denied to this conversation', code: 'conversation_not_found' });
    expect(await server.request('GET', `/api/messages/${tripId}`, { token: organizer.token })).toMatchObject({ status: 404, body: { error: 'Access denied to this conversation' } });
    host.verdicts.set(organizer.id, 'unknown');
    socket.emit('join:conversation', { tripId });
    expect(await socket.next('error')).toMatchObject({ message: 'Trip not found', code: 'not_found' });
    expect(await server.request('POST', '/api/messages/send', { token: organizer.token, body: { tripId, content: 'hi' } })).toMatchObject({ status: 404, body: { error: 'Trip not found', code: 'not_found' } });
    await socket.nothing('conversation:joined');
  });

  it('removes a participant the host no longer lets in: their socket leaves the room', async () => {
    host.verdicts.set(driver.id, { role: 'driver' });
    host.verdicts.set(passenger.id, { role: 'passenger' });
    const d = await sockets.joined(driver, tripId);
    const p = await sockets.joined(passenger, tripId);
    host.verdicts.set(passenger.id, 'denied');
    const refused = await server.request('GET', `/api/messages/${tripId}`, { token: passenger.token });
    expect(refused).toMatchObject({ status: 404, body: { error: 'Access denied to this conversation' } });
    const { conversationId } = (await server.request('GET', `/api/messages/${tripId}`, { token: driver.token })).body;
    d.emit('message:send', { conversationId, content: 'after the cancellation' });
    await d.next('message:new');
    await p.nothing('message:new');
  });

  it('turns a host that hangs, fails or answers nonsense into a retryable host_unavailable, in each shape', async () => {
    for (const verdict of ['hang', 'error', 'garbage'] as const) {
      host.verdicts.set(organizer.id, verdict);
      const socket = await sockets.as(organizer);
      socket.emit('join:conversation', { tripId });
      expect(await socket.next('error'), verdict).toMatchObject({ message: expect.stringContaining('host app'), code: 'host_unavailable', retryable: true });
      const res = await server.request('GET', `/api/messages/${tripId}`, { token: organizer.token });
      expect(res.status, verdict).toBe(503);
      expect(res.headers.get('retry-after'), verdict).toBe('1');
      expect(res.body, verdict).toEqual({ error: expect.stringContaining('host app'), code: 'host_unavailable', retryable: true });
    }
  });

  it('still lets a current participant in while the host is down', async () => {
    host.verdicts.set(driver.id, { role: 'driver' });
    await sockets.joined(driver, tripId);
    host.verdicts.set(driver.id, 'hang');
    expect((await server.request('GET', `/api/messages/${tripId}`, { token: driver.token })).status).toBe(200);
  });

  it('reuses an answer for HOST_ACCESS_CACHE_SECONDS', async () => {
    const cached = await startTestServer({ HOST_ACCESS_URL: host.url, HOST_ACCESS_SECRET: SECRET, HOST_ACCESS_CACHE_SECONDS: '30' });
    try {
      const user = await tripUser(cached, 'PASSENGER');
      host.verdicts.set(user.id, { role: 'passenger' });
      for (let i = 0; i < 3; i++) expect((await cached.request('GET', `/api/messages/${tripId}`, { token: user.token })).status).toBe(200);
      expect(host.calls).toHaveLength(1);
    } finally {
      await cached.close();
    }
  });

  it('refuses to boot with HOST_ACCESS_URL but no secret to sign with', () => {
    expect(() => loadConfig({ HOST_ACCESS_URL: host.url, JWT_SECRET: 'x'.repeat(40) })).toThrow(ConfigError);
    expect(() => loadConfig({ HOST_ACCESS_URL: host.url, HOST_ACCESS_SECRET: 'short', JWT_SECRET: 'x'.repeat(40) })).toThrow(/HOST_ACCESS_SECRET/);
  });
});
