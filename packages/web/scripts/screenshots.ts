/**
 * Takes the screenshots of docs/web.md: starts a demo server (its own data directory, an
 * ephemeral-looking port), fills it with a little traffic through the API, and photographs each
 * screen with Debian's Chromium.
 *
 *   npm run screenshots            # writes docs/web/*.png
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const OUT = join(REPO, 'docs/web');
const PORT = Number(process.env.SCREENSHOT_PORT ?? 8131);
const HOST_PORT = PORT + 1;
const BASE = `http://127.0.0.1:${PORT}`;
const HOST_PAGE = `http://127.0.0.1:${HOST_PORT}`;
const VIEWPORT = { width: 1280, height: 760 };

interface Login {
  readonly token: string;
  readonly user: { id: string; display_name: string };
  readonly abilities: string[];
}

async function api<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

async function login(email: string): Promise<Login> {
  const { access_token } = await api<{ access_token: string }>('POST', '/v1/auth/login', undefined, { email, password: 'password123' });
  const me = await api<{ user: Login['user']; abilities: string[] }>('GET', '/v1/me', access_token);
  return { token: access_token, user: me.user, abilities: me.abilities };
}

function startDemoServer(dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(REPO, 'packages/server/bin/switchboard.js'), 'serve', '--demo'], {
    env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', CORS_ORIGINS: HOST_PAGE },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const probe = () =>
      fetch(`${BASE}/health`).then(
        () => resolve(child),
        () => (Date.now() - started > 60_000 ? reject(new Error('the demo server did not start')) : setTimeout(probe, 250)),
      );
    child.once('exit', (code) => reject(new Error(`the demo server exited with ${code}`)));
    probe();
  });
}

/** A little of everything: a trip chat with a reply and a reaction, a support case, a report. */
async function seed(): Promise<{ passenger: Login; agent: Login; operator: Login; tripId: string; caseId: string }> {
  const [passenger, driver, customer, agent, operator] = await Promise.all(['passenger1', 'tripdriver1', 'customer1', 'agent1', 'operator1'].map((u) => login(`${u}@example.com`)));
  const { conversation } = await api<{ conversation: { id: string } }>('GET', '/v1/conversations/by-context/trip/T-1001', passenger!.token);
  const say = (who: Login, content: string, extra: object = {}) => api<{ message: { id: string } }>('POST', `/v1/conversations/${conversation.id}/messages`, who.token, { content, ...extra });
  const first = await say(driver!, 'Good morning! The bus leaves from platform 2 at 09:00.');
  await say(passenger!, 'Thanks! Is there room for a large suitcase?', { reply_to: first.message.id });
  const luggage = await say(driver!, 'Yes, the luggage hold is empty today.');
  await api('PUT', `/v1/conversations/${conversation.id}/messages/${luggage.message.id}/reactions/${encodeURIComponent('👍')}`, passenger!.token);
  const rude = await say(driver!, 'Anyone late is left behind, no exceptions, idiots.');
  await api('POST', `/v1/conversations/${conversation.id}/messages/${rude.message.id}/report`, passenger!.token, { reason: 'abuse', note: 'Insulting passengers' });
  await api('POST', `/v1/conversations/${conversation.id}/read`, driver!.token, {});

  const opened = await api<{ case: { conversation_id: string } }>('POST', '/v1/support/cases', customer!.token, { subject: 'Order 4411 never arrived', content: 'I ordered lunch an hour ago and nothing came.', queue: 'desk_support', priority: 'high', links: { 'Order 4411': 'https://desk.example.com/orders/4411' } });
  await api('POST', '/v1/support/cases', customer!.token, { subject: 'Refund for a cancelled order', content: 'Order 4398 was cancelled, when is my refund?', queue: 'desk_support' });
  const caseId = opened.case.conversation_id;
  await api('POST', `/v1/support/cases/${caseId}/accept`, agent!.token);
  await api('POST', `/v1/conversations/${caseId}/messages`, agent!.token, { content: 'Hello Chris, I am checking with the restaurant now.' });
  return { passenger: passenger!, agent: agent!, operator: operator!, tripId: conversation.id, caseId };
}

async function signedIn(browser: Browser, who: Login): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT, baseURL: BASE, locale: 'en-US' });
  await context.addInitScript((session) => localStorage.setItem('switchboard-session', session), JSON.stringify(who));
  return context.newPage();
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.getByText('Loading…').first().waitFor({ state: 'hidden' });
  await page.screenshot({ path: join(OUT, `${name}.png`) });
  console.log(`docs/web/${name}.png`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-screenshots-'));
  const server = await startDemoServer(dataDir);
  let hostPage = '';
  const host = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostPage)).listen(HOST_PORT, '127.0.0.1');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const { passenger, agent, operator, tripId, caseId } = await seed();

    const anonymous = await browser.newPage({ viewport: VIEWPORT });
    await anonymous.goto(`${BASE}/login`);
    await anonymous.getByRole('heading', { name: 'Demo users' }).waitFor();
    await shoot(anonymous, 'sign-in');

    const chat = await signedIn(browser, passenger);
    await chat.goto(`/c/${tripId}`);
    await chat.getByRole('log').getByText('luggage hold').waitFor();
    await chat.getByRole('textbox', { name: 'Message' }).fill('See you at platform 2');
    await shoot(chat, 'chat');

    const console_ = await signedIn(browser, agent);
    await console_.goto(`/console/${caseId}`);
    await console_.getByRole('log').getByText('checking with the restaurant').waitFor();
    await shoot(console_, 'console');

    const admin = await signedIn(browser, operator);
    for (const [tab, ready] of [['analytics', 'Messages per day'], ['moderation', 'idiots'], ['users', 'User id'], ['audit', 'Who']] as const) {
      await admin.goto(`/admin/${tab}`);
      await admin.getByText(ready, { exact: false }).first().waitFor();
      if (tab === 'users') {
        await admin.getByLabel('User id').fill('tripdriver1');
        await admin.getByRole('button', { name: 'Find' }).click();
        await admin.getByRole('button', { name: 'Revoke sessions' }).waitFor();
      }
      await shoot(admin, `admin-${tab}`);
      if (tab === 'moderation') {
        // Acting on the report fills the audit log photographed next.
        await admin.getByRole('button', { name: 'Hide' }).click();
        await admin.getByText('No open reports.').waitFor();
      }
    }

    hostPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example Travel</title>
      <style>body{font-family:Georgia,serif;margin:3rem;max-width:40rem;color:#222}</style></head>
      <body><h1>Your trip: Almaty → Bishkek</h1><p>Departure 09:00, platform 2. Booking T-1001.</p>
      <script src="${BASE}/widget.js" async></script>
      <switchboard-chat context="trip:T-1001" title="Trip chat" token="${passenger.token}"></switchboard-chat></body></html>`;
    const widget = await browser.newPage({ viewport: VIEWPORT });
    await widget.goto(HOST_PAGE);
    await widget.getByRole('button', { name: /Open chat/ }).click();
    await widget.getByRole('log').getByText('luggage hold').waitFor();
    await shoot(widget, 'widget');
  } finally {
    await browser.close();
    host.close();
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
