import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../src/webhooks/target-address.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';

describe('private target addresses', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fc00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '224.0.0.1'])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });
  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe('/v1/webhooks', () => {
  // Private targets refused, as in production.
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const api = (method: string, path: string, body?: unknown) => server.request(method, path, { apiKey: TEST_API_KEY, ...(body !== undefined && { body }) });
  const PUBLIC = 'https://93.184.215.14/hooks/switchboard';

  it('needs an API key or users.manage: 401 without a credential, 403 for a plain user, 201 for an operator', async () => {
    const body = { url: PUBLIC, events: ['message.created'] };
    expect((await server.request('POST', '/v1/webhooks', { body })).status).toBe(401);
    const driver = await server.user(['driver']);
    const refused = await server.request('POST', '/v1/webhooks', { token: driver.token, body });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await server.request('GET', '/v1/webhooks', { token: driver.token })).status).toBe(403);
    const operator = await server.user(['operator']);
    const created = await server.request('POST', '/v1/webhooks', { token: operator.token, body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await api('DELETE', `/v1/webhooks/${created.body.id}`)).status).toBe(204);
  });

  it.each([
    ['http://127.0.0.1:8080/hook'],
    ['http://localhost/hook'],
    ['http://10.0.0.5/hook'],
    ['http://[::1]:9000/hook'],
    ['http://169.254.169.254/latest/meta-data'],
  ])('refuses the private or loopback target %s with validation_failed on /url', async (url) => {
    const res = await api('POST', '/v1/webhooks', { url, events: ['message.created'] });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: '/url', message: expect.stringMatching(/private or loopback.*WEBHOOK_ALLOW_PRIVATE/) }] });
    expect((await api('GET', '/v1/webhooks')).body.webhooks).toEqual([]);
  });

  it.each([
    [{ url: 'ftp://example.com/x', events: ['message.created'] }],
    [{ url: PUBLIC, events: [] }],
    [{ url: PUBLIC, events: ['message.exploded'] }],
    [{ url: PUBLIC }],
    [{ url: PUBLIC, events: ['message.created'], secret: 'whsec_mine' }],
    [{ url: 'https://user:pw@93.184.215.14/x', events: ['message.created'] }],
  ])('refuses the body %j with 422 in the v1 error shape', async (body) => {
    const res = await api('POST', '/v1/webhooks', body);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', message: expect.any(String) });
  });

  it('lists, changes, rotates and deletes an endpoint; its secret is shown on creation and rotation only', async () => {
    const created = await api('POST', '/v1/webhooks', { url: PUBLIC, events: ['message.created', 'message.created'], description: 'ops' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^wh_/), secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/), webhook: { url: PUBLIC, events: ['message.created'], description: 'ops', disabled: false } });
    const { id, secret } = created.body;
    const listed = await api('GET', '/v1/webhooks');
    expect(listed.body.webhooks).toEqual([created.body.webhook]);
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    const changed = await api('PATCH', `/v1/webhooks/${id}`, { events: ['report.created', 'rating.given'], description: null, enabled: false });
    expect(changed.body.webhook).toMatchObject({ events: ['report.created', 'rating.given'], description: null, disabled: true, disabled_reason: 'disabled by an administrator' });
    expect((await api('PATCH', `/v1/webhooks/${id}`, { enabled: true })).body.webhook).toMatchObject({ disabled: false, disabled_reason: null });
    expect((await api('PATCH', `/v1/webhooks/${id}`, { url: 'http://127.0.0.1/x' })).status).toBe(422);

    const rotated = await api('POST', `/v1/webhooks/${id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);

    expect((await api('GET', `/v1/webhooks/${id}/deliveries`)).body).toEqual({ deliveries: [], next_cursor: null });
    expect((await api('GET', `/v1/webhooks/${id}/deliveries?status=lost`)).status).toBe(422);
    expect((await api('POST', `/v1/webhooks/${id}/deliveries/msg_nope/redeliver`)).status).toBe(404);

    expect((await api('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
    for (const [method, path] of [['GET', `/v1/webhooks/${id}`], ['PATCH', `/v1/webhooks/${id}`], ['DELETE', `/v1/webhooks/${id}`], ['POST', `/v1/webhooks/${id}/rotate-secret`], ['GET', `/v1/webhooks/${id}/deliveries`]] as const) {
      const res = await api(method, path, method === 'PATCH' ? { description: 'x' } : undefined);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });
});
