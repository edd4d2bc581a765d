import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { namedUser, type TestUser } from '../ws/ws-fixtures.js';

/** The host app's access check: allows `allowed` as a provider on request R-known, knows no other object. */
async function fakeHost(allowed: () => string): Promise<Server> {
  const host = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { user_id, context } = JSON.parse(body) as { user_id: string; context: { type: string; id: string } };
      if (context.id !== 'R-known') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(user_id === allowed() ? { allowed: true, role: 'provider' } : { allowed: false }));
    });
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  return host;
}

describe('create_or_get/ with the host app’s access check (HOST_ACCESS_URL)', () => {
  let host: Server;
  let server: TestServer;
  let provider: TestUser;
  let stranger: TestUser;

  beforeAll(async () => {
    host = await fakeHost(() => provider.user.id);
    const url = `http://127.0.0.1:${(host.address() as AddressInfo).port}/access`;
    server = await startTestServer({ HOST_ACCESS_URL: url, HOST_ACCESS_SECRET: 'host-access-secret-0123456789abcdef', HOST_ACCESS_CACHE_SECONDS: '0' });
    provider = await namedUser(server, ['provider'], 'Paula', 'Provider');
    stranger = await namedUser(server, ['provider'], 'Sam', 'Stranger');
  });
  afterAll(async () => {
    await server?.close();
    host.closeAllConnections();
    await new Promise<void>((resolve) => host.close(() => resolve()));
  });

  it('creates the room on the first access the host allows, with the host’s role, and finds it by context after', async () => {
    const res = await server.request('POST', '/api/v1/chat-rooms/create_or_get/', { token: provider.token, body: { room_type: 'request', related_id: 'R-known' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ room_type: 'request', related_model: 'request', related_id: 'R-known', participants: [provider.user.id] });
    expect(res.body.participants_data[0]).toMatchObject({ id: provider.user.id, role: 'provider' });
    const again = await server.request('POST', '/api/v1/chat-rooms/create_or_get/', { token: provider.token, body: { related_model: 'request', related_id: 'R-known' } });
    expect(again.body.id).toBe(res.body.id);
    const found = await server.request('GET', '/api/v1/chat-rooms/by_context/?type=request&id=R-known', { token: provider.token });
    expect(found.body.map((r: any) => r.id)).toEqual([res.body.id]);
  });

  it('refuses whom the host denies as if there were no room, and says what the host does not know', async () => {
    const denied = await server.request('POST', '/api/v1/chat-rooms/create_or_get/', { token: stranger.token, body: { related_model: 'request', related_id: 'R-known' } });
    expect(denied.status).toBe(404);
    expect(denied.body).toEqual({ detail: 'Not found.', code: 'conversation_not_found' });
    const unknown = await server.request('POST', '/api/v1/chat-rooms/create_or_get/', { token: stranger.token, body: { related_model: 'request', related_id: 'R-nowhere' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: 'Request not found', code: 'not_found' });
  });
});
