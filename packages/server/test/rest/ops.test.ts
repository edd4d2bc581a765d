import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('operations endpoints', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('answers /health and /ready without credentials', async () => {
    expect((await server.request('GET', '/health')).body).toEqual({ status: 'ok' });
    expect((await server.request('GET', '/ready')).body).toEqual({ status: 'ready', store: 'ok' });
  });

  it('exposes Prometheus metrics including request durations', async () => {
    await server.request('GET', '/health');
    const res = await server.request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.body).toContain('switchboard_http_request_duration_seconds_bucket');
    expect(res.body).toContain('process_resident_memory_bytes');
  });

  it('publishes the OpenAPI document generated from the route schemas, and Swagger UI', async () => {
    const res = await server.request('GET', '/docs/json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    for (const path of ['/v1/auth/login', '/v1/me', '/v1/conversations', '/v1/conversations/{id}/messages', '/v1/conversations/{id}/read', '/v1/conversations/{id}/participants']) {
      expect(res.body.paths, path).toHaveProperty([path]);
    }
    expect(res.body.paths['/v1/conversations/{id}/messages'].post.requestBody.content['application/json'].schema.required).toContain('content');
    const ui = await fetch(`${server.url}/docs/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('reports not ready once the store is closed', async () => {
    const other = await startTestServer();
    await other.services.store.close();
    const res = await other.request('GET', '/ready');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('store_unavailable');
    await other.app.close();
  });
});
