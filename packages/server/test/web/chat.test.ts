import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { chromiumPath, ensureWebBuild, expectNoSeriousAxeViolations, launchBrowser, signedInContext, webUser, type WebUser } from './web-browser.js';

const executablePath = chromiumPath();

describe.skipIf(!executablePath)('web app: chat', () => {
  let server: TestServer;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let alice: WebUser;
  let bob: WebUser;
  let moderator: WebUser;
  let conversationId: string;
  let aliceContext: BrowserContext;
  let bobContext: BrowserContext;
  let alicePage: Page;
  let bobPage: Page;

  beforeAll(async () => {
    await ensureWebBuild();
    // The long-history test writes 80 messages in a burst.
    server = await startTestServer({ SEND_RATE_POINTS: '1000' });
    ({ browser, close: closeBrowser } = await launchBrowser(executablePath!));
    alice = await webUser(server, ['customer'], 'alice');
    bob = await webUser(server, ['customer'], 'bob');
    moderator = await webUser(server, ['operator'], 'moderator');
    const created = await server.request('POST', '/v1/conversations', { apiKey: TEST_API_KEY, body: { type: 'general', title: 'Depot shift', participant_ids: [alice.id, bob.id] } });
    expect(created.status).toBe(201);
    conversationId = created.body.conversation.id;
    aliceContext = await signedInContext(browser, server, alice);
    bobContext = await signedInContext(browser, server, bob);
    alicePage = await aliceContext.newPage();
    bobPage = await bobContext.newPage();
  });

  afterAll(async () => {
    await closeBrowser?.();
    await server?.close();
  });

  const log = (page: Page) => page.getByRole('log', { name: 'Depot shift' });

  it('lets two people chat live, with typing and seen marks', async () => {
    await alicePage.goto('/');
    await alicePage.getByRole('link', { name: /Depot shift/ }).click();
    await bobPage.goto(`/c/${conversationId}`);
    await expect.poll(() => log(bobPage).getByText('No messages yet. Say hello.').isVisible()).toBe(true);

    await alicePage.getByRole('textbox', { name: 'Message' }).pressSequentially('Gate 4 is closed');
    await bobPage.getByText(`${alice.name} is typing…`).waitFor();
    await alicePage.getByRole('textbox', { name: 'Message' }).press('Enter');

    await log(bobPage).getByText('Gate 4 is closed').waitFor();
    await bobPage.getByText(`${alice.name} is typing…`).waitFor({ state: 'hidden' });
    // Bob has it on screen for half a second: Alice's mark turns to Seen.
    await log(alicePage).getByText('Seen').waitFor();

    await bobPage.getByRole('textbox', { name: 'Message' }).fill('Use gate 5');
    await bobPage.getByRole('button', { name: 'Send' }).click();
    await log(alicePage).getByText('Use gate 5').waitFor();
  });

  it('replies with the keyboard alone, and speaks Russian when asked', async () => {
    const box = alicePage.getByRole('textbox', { name: 'Message' });
    await box.focus();
    // Back from the composer: Attach, then the newest message's actions (Report … Reply).
    for (let i = 0; i < 6; i++) await alicePage.keyboard.press('Shift+Tab');
    await expect.poll(() => alicePage.evaluate(() => document.activeElement?.textContent)).toBe('Reply');
    await alicePage.keyboard.press('Enter');
    await alicePage.getByText(`Replying to ${bob.name}: Use gate 5`).waitFor();
    await expect.poll(() => alicePage.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    await alicePage.keyboard.type('Copy that');
    await alicePage.keyboard.press('Enter');
    const reply = log(bobPage).getByRole('article').filter({ hasText: 'Copy that' });
    await reply.getByText('Use gate 5').waitFor();

    await alicePage.getByLabel('Language').selectOption('ru');
    await alicePage.getByRole('textbox', { name: 'Сообщение' }).waitFor();
    await alicePage.getByRole('button', { name: 'Отправить' }).waitFor();
    await alicePage.getByLabel('Язык').selectOption('en');
    await alicePage.getByRole('textbox', { name: 'Message' }).waitFor();
  });

  it('sends an image attachment, shown to the other side as a thumbnail', async () => {
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } }).png().toBuffer();
    const chooser = alicePage.waitForEvent('filechooser');
    await alicePage.getByRole('button', { name: 'Attach' }).click();
    await (await chooser).setFiles({ name: 'gate-map.png', mimeType: 'image/png', buffer: png });
    await alicePage.getByRole('button', { name: 'Remove gate-map.png' }).waitFor();
    await expect.poll(() => alicePage.getByRole('button', { name: 'Send' }).isEnabled()).toBe(true);
    await alicePage.getByRole('textbox', { name: 'Message' }).fill('Map of the gates');
    await alicePage.getByRole('button', { name: 'Send' }).click();
    const image = log(bobPage).getByRole('img', { name: 'Attachment gate-map.png' });
    await image.waitFor();
    await expect.poll(() => image.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  });

  it('delivers a message written offline once the connection is back', async () => {
    await bobContext.setOffline(true);
    await bobPage.getByText('You are offline. Messages you send now go out when the connection returns.').waitFor();
    await bobPage.getByRole('textbox', { name: 'Message' }).fill('Sent from the tunnel');
    await bobPage.getByRole('textbox', { name: 'Message' }).press('Enter');
    await log(bobPage).getByText('Sending…').waitFor();

    await bobContext.setOffline(false);
    await log(alicePage).getByText('Sent from the tunnel').waitFor();
    await log(bobPage).getByText('Sending…').waitFor({ state: 'hidden' });
    const stored = await server.request('GET', `/v1/conversations/${conversationId}/messages`, { token: alice.token });
    expect(stored.body.messages.filter((m: { content: string }) => m.content === 'Sent from the tunnel')).toHaveLength(1);
  });

  it('searches the conversation', async () => {
    await alicePage.getByRole('searchbox', { name: 'Search messages' }).fill('tunnel');
    await alicePage.getByRole('button', { name: 'Search', exact: true }).click();
    const results = alicePage.getByRole('region', { name: 'Search results' });
    await results.getByRole('listitem').filter({ hasText: 'Sent from the tunnel' }).waitFor();
    expect(await results.getByRole('listitem').count()).toBe(1);
    await alicePage.getByRole('button', { name: 'Close search' }).click();
  });

  it('hides a reported message for everyone once a moderator hides it', async () => {
    const message = log(bobPage).getByRole('article').filter({ hasText: 'Gate 4 is closed' });
    await message.hover();
    await message.getByRole('button', { name: 'Report' }).click();
    await bobPage.getByText('Reported. A moderator will look at it.').waitFor();

    const moderatorContext = await signedInContext(browser, server, moderator);
    const admin = await moderatorContext.newPage();
    await admin.goto('/admin/moderation');
    const report = admin.getByRole('listitem').filter({ hasText: 'Gate 4 is closed' });
    await report.getByRole('button', { name: 'Hide' }).click();
    await admin.getByText('No open reports.').waitFor();

    for (const page of [alicePage, bobPage]) {
      await log(page).getByText('This message was hidden by a moderator.').waitFor();
      await expect.poll(() => log(page).getByText('Gate 4 is closed').count()).toBe(0);
    }
    await admin.goto('/admin/audit');
    await admin.getByRole('cell', { name: 'hide', exact: false }).first().waitFor();
    await moderatorContext.close();
  });

  it('pages back through a long history while rendering only what is on screen', async () => {
    const created = await server.request('POST', '/v1/conversations', { apiKey: TEST_API_KEY, body: { type: 'general', title: 'Night log', participant_ids: [alice.id, bob.id] } });
    const id = created.body.conversation.id;
    // 30 arrive with the conversation, one Load older brings the other 50.
    const post = async (n: number) => {
      const sent = await server.request('POST', `/v1/conversations/${id}/messages`, { token: n % 2 ? bob.token : alice.token, body: { content: `Entry ${n}` } });
      expect(sent.status).toBe(201);
    };
    for (let n = 1; n < 80; n += 10) await Promise.all(Array.from({ length: Math.min(10, 80 - n) }, (_, i) => post(n + i)));
    await post(80);
    await alicePage.goto(`/c/${id}`);
    const history = alicePage.getByRole('log', { name: 'Night log' });
    await history.getByText('Entry 80', { exact: true }).waitFor();
    await alicePage.getByRole('button', { name: 'Load older' }).click();
    await alicePage.getByText('This is the beginning of the conversation.').waitFor();
    await expect.poll(() => history.getAttribute('aria-busy')).toBe('false');
    // Virtualized: far fewer message elements than messages.
    expect(await history.getByRole('article').count()).toBeLessThan(40);
    // The older page went in above without moving the view; scrolling up renders it.
    await history.locator('.message-scroller').evaluate((scroller) => scroller.scrollTo({ top: 0 }));
    await history.getByText('Entry 1', { exact: true }).waitFor();
    await expect.poll(() => history.getByText('Entry 80', { exact: true }).count()).toBe(0);
  });

  it('has no serious axe-core violation on the sign-in, chat and admin screens', async () => {
    const anonymous = await browser.newContext({ baseURL: server.url });
    const login = await anonymous.newPage();
    await login.goto('/console');
    await login.getByRole('button', { name: 'Sign in' }).waitFor();
    await expect.poll(() => login.url()).toMatch(/\/login$/);
    await expectNoSeriousAxeViolations(login, 'the sign-in page');
    await anonymous.close();

    await alicePage.goto(`/c/${conversationId}`);
    await log(alicePage).getByText('Copy that').waitFor();
    await expectNoSeriousAxeViolations(alicePage, 'the chat');
    const moderatorContext = await signedInContext(browser, server, moderator);
    const admin = await moderatorContext.newPage();
    await admin.goto('/admin');
    for (const tab of ['Analytics', 'Moderation queue', 'Users', 'Audit log']) {
      await admin.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: tab }).click();
      await admin.getByRole('heading', { level: 2, name: tab }).waitFor();
      await admin.getByText('Loading…').waitFor({ state: 'hidden' });
      await expectNoSeriousAxeViolations(admin, `admin: ${tab}`);
    }
    await moderatorContext.close();
  });

  it('signs in with email and password, and out again', async () => {
    await server.request('PUT', '/v1/users/carol', { apiKey: TEST_API_KEY, body: { email: 'carol@example.com', password: 'carol-secret-1', display_name: 'Carol Dispatcher', roles: ['customer'] } });
    const context = await browser.newContext({ baseURL: server.url });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Email').fill('carol@example.com');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Email or password is wrong.').waitFor();
    await page.getByLabel('Password').fill('carol-secret-1');
    await page.getByLabel('Password').press('Enter');
    await page.getByText('Signed in as Carol Dispatcher').waitFor();
    // Signed in, the app registers the service worker that shows pushes, and offers them.
    await page.getByRole('button', { name: 'Enable notifications' }).waitFor();
    await page.waitForFunction(() => navigator.serviceWorker.getRegistration('/').then((r) => r !== undefined));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  });
});
