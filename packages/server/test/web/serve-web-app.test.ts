import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { ensureWebBuild } from './web-browser.js';

describe('serving the web app', () => {
  let server: TestServer;
  let demo: TestServer;

  beforeAll(async () => {
    await ensureWebBuild();
    server = await startTestServer();
    demo = await startTestServer({}, { seedDemo: true });
  });

  afterAll(async () => {
    await server?.close();
    await demo?.close();
  });

  it.each(['/', '/login', '/console', '/console/some-case', '/admin', '/admin/moderation', '/c/some-conversation'])('answers %s with the app page, without a credential', async (path) => {
    const page = await server.request('GET', path);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toContain('<div id="root"></div>');
    expect(page.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves the widget script and caches hashed assets for good', async () => {
    const widget = await server.request('GET', '/widget.js');
    expect(widget.status).toBe(200);
    expect(widget.headers.get('content-type')).toMatch(/javascript/);
    expect(widget.body).toContain('switchboard-chat');
    const asset = String((await server.request('GET', '/')).body).match(/\/assets\/[^"]+\.js/)?.[0];
    const script = await server.request('GET', asset!);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('serves the service worker from the root, so it may control every page of the app', async () => {
    const worker = await server.request('GET', '/sw.js');
    expect(worker.status).toBe(200);
    expect(worker.headers.get('content-type')).toMatch(/javascript/);
    expect(worker.headers.get('cache-control')).toBe('no-cache');
    expect(worker.body).toContain("addEventListener('push'");
  });

  it('keeps the API beside it: JSON 404 for unknown API paths, 401 without a token', async () => {
    expect(await server.request('GET', '/v1/nothing-here')).toMatchObject({ status: 404, body: { error: { code: 'route_not_found' } } });
    expect(await server.request('GET', '/console.json')).toMatchObject({ status: 404, body: { error: { code: 'route_not_found' } } });
    expect((await server.request('GET', '/v1/me')).status).toBe(401);
    expect((await server.request('GET', '/health')).status).toBe(200);
  });

  it('lists the demo users only on a demo start', async () => {
    expect((await server.request('GET', '/v1/demo/users')).status).toBe(404);
    const listed = await demo.request('GET', '/v1/demo/users');
    expect(listed.status).toBe(200);
    expect(listed.body.password).toBe('password123');
    expect(listed.body.users).toContainEqual({ id: 'agent1', email: 'agent1@example.com', display_name: 'Alex Agent', roles: ['support'] });
  });
});
