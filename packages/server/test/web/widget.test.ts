import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { chromiumPath, ensureWebBuild, expectNoSeriousAxeViolations, launchBrowser, webUser, type WebUser } from './web-browser.js';

const executablePath = chromiumPath();

/** A host app's page on its own origin: the copy-paste example of docs/web.md, nothing more. */
function hostPage(switchboardUrl: string, token: string): string {
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Trip 123 · Example Travel</title></head>
  <body>
    <main><h1>Your trip to Bishkek</h1><p>Departure 09:00 from the central station.</p></main>
    <script src="${switchboardUrl}/widget.js" async></script>
    <switchboard-chat context="trip:123" title="Trip chat" token="${token}"></switchboard-chat>
  </body>
</html>`;
}

describe.skipIf(!executablePath)('web app: the embeddable widget', () => {
  let server: TestServer;
  let host: Server;
  let hostUrl: string;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let passenger: WebUser;
  let driver: WebUser;
  let conversationId: string;

  beforeAll(async () => {
    await ensureWebBuild();
    let page = '';
    host = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page));
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    // The host page's origin is another port: the server lets it in through CORS_ORIGINS.
    server = await startTestServer({ CORS_ORIGINS: hostUrl });
    passenger = await webUser(server, ['PASSENGER'], 'passenger-pia');
    driver = await webUser(server, ['DRIVER'], 'driver-dan');
    const trip = await server.request('PUT', '/v1/conversations/by-context/trip/123', { apiKey: TEST_API_KEY, body: { type: 'trip', title: 'Trip 123', participants: [{ user_id: passenger.id }, { user_id: driver.id }] } });
    expect([200, 201]).toContain(trip.status);
    conversationId = trip.body.conversation.id;
    page = hostPage(server.url, passenger.token);
    ({ browser, close: closeBrowser } = await launchBrowser(executablePath!));
  });

  afterAll(async () => {
    await closeBrowser?.();
    await server?.close();
    await new Promise((resolve) => host?.close(resolve));
  });

  it('shows unread messages on its button and chats on a page of another origin', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(hostUrl);
    const open = page.getByRole('button', { name: /Open chat/ });
    await open.waitFor();

    const sent = await server.request('POST', `/v1/conversations/${conversationId}/messages`, { token: driver.token, body: { content: 'I am at the station, platform 2' } });
    expect(sent.status).toBe(201);
    await page.getByLabel('1 unread messages').waitFor();

    await open.click();
    const log = page.getByRole('log', { name: 'Trip chat' });
    await log.getByText('I am at the station, platform 2').waitFor();
    await page.getByRole('textbox', { name: 'Message' }).fill('On my way, 5 minutes');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await log.getByText('Sent').waitFor();
    const stored = await server.request('GET', `/v1/conversations/${conversationId}/messages`, { token: driver.token });
    expect(stored.body.messages.map((m: { sender_id: string; content: string }) => [m.sender_id, m.content])).toEqual([
      [driver.id, 'I am at the station, platform 2'],
      [passenger.id, 'On my way, 5 minutes'],
    ]);
    await expectNoSeriousAxeViolations(page, 'the widget on a host page');
    await context.close();
  });
});
