import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestServer } from '../support/test-server.js';

const CHROMIUM = '/usr/bin/chromium';
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const WEB = join(REPO, 'packages/web');
const AXE = join(REPO, 'node_modules/axe-core/axe.min.js');
let axeSource: string | undefined;

/**
 * Debian's Chromium, or undefined with a loud skip message; under `REQUIRE_SERVICES=1` (CI) its
 * absence fails instead.
 */
export function chromiumPath(): string | undefined {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const message = `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`${message}, and REQUIRE_SERVICES=1 demands it`);
  console.warn(`\n\n  !!! SKIPPING web app browser tests: ${message} !!!\n`);
  return undefined;
}

/**
 * Headless, with no network of its own (updates, sync, QUIC). Playwright gives each launch a
 * fresh temporary profile and removes it on close.
 */
export async function launchBrowser(executablePath: string): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { browser, close: () => browser.close() };
}

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function buildIsCurrent(): boolean {
  const built = join(WEB, 'dist/index.html');
  const widget = join(WEB, 'dist/widget.js');
  if (!existsSync(built) || !existsSync(widget)) return false;
  const sources = Math.max(newestMtime(join(WEB, 'src')), newestMtime(join(WEB, 'index.html')), newestMtime(join(WEB, 'vite.config.ts')), newestMtime(join(WEB, 'vite.widget.config.ts')));
  return Math.min(statSync(built).mtimeMs, statSync(widget).mtimeMs) >= sources;
}

/**
 * Builds the web app when its bundle is missing or older than its sources. Test files run in
 * parallel, so one builds under a lock directory while the others wait for it.
 */
export async function ensureWebBuild(): Promise<void> {
  const lock = join(WEB, '.build-lock');
  for (let waited = 0; !buildIsCurrent(); waited += 200) {
    try {
      mkdirSync(lock);
    } catch {
      if (waited > 90_000) throw new Error(`waited 90 s for another build of the web app (remove ${lock} if none runs)`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    try {
      if (!buildIsCurrent()) execFileSync('npm', ['run', 'build', '--workspace', '@switchboard/web'], { cwd: REPO, stdio: 'pipe' });
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

export interface WebUser {
  readonly id: string;
  readonly token: string;
  readonly name: string;
}

/** A user created through the API, with the display name the app will show. */
export async function webUser(server: TestServer, roles: string[], id: string): Promise<WebUser> {
  const { user, token } = await server.user(roles, id);
  return { id: user.id, token, name: user.displayName };
}

/** A browser context already signed in as `user` (the session the sign-in page would store). */
export async function signedInContext(browser: Browser, server: TestServer, user: WebUser): Promise<BrowserContext> {
  const me = await server.request('GET', '/v1/me', { token: user.token });
  if (me.status !== 200) throw new Error(`GET /v1/me failed: ${JSON.stringify(me.body)}`);
  const session = JSON.stringify({ token: user.token, user: me.body.user, abilities: me.body.abilities });
  const context = await browser.newContext({ locale: 'en-US', baseURL: server.url });
  await context.addInitScript((value) => {
    if (!localStorage.getItem('switchboard-session')) localStorage.setItem('switchboard-session', value);
  }, session);
  return context;
}

/** Runs axe-core on the page and expects no violation of impact serious or critical. */
export async function expectNoSeriousAxeViolations(page: Page, what: string): Promise<void> {
  // Injected once per document: moving inside the app keeps it, a page load drops it.
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: (axeSource ??= readFileSync(AXE, 'utf8')) });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context?: unknown, options?: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)) }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, `axe-core on ${what}`).toEqual([]);
}
