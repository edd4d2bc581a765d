import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { chromiumPath, ensureWebBuild, expectNoSeriousAxeViolations, launchBrowser, signedInContext, webUser, type WebUser } from './web-browser.js';

const executablePath = chromiumPath();

describe.skipIf(!executablePath)('web app: agent console', () => {
  let server: TestServer;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let customer: WebUser;
  let agent: WebUser;

  beforeAll(async () => {
    await ensureWebBuild();
    server = await startTestServer();
    ({ browser, close: closeBrowser } = await launchBrowser(executablePath!));
    customer = await webUser(server, ['customer'], 'customer-ana');
    agent = await webUser(server, ['support'], 'agent-ben');
  });

  afterAll(async () => {
    await closeBrowser?.();
    await server?.close();
  });

  async function openCase(subject: string): Promise<string> {
    const opened = await server.request('POST', '/v1/support/cases', { token: customer.token, body: { subject, content: `${subject}, please help`, queue: 'desk_support' } });
    expect(opened.status).toBe(201);
    return opened.body.case.conversation_id;
  }

  it('lets an agent accept a waiting case, answer it and resolve it', async () => {
    const caseId = await openCase('Order 4411 never arrived');
    const customerContext = await signedInContext(browser, server, customer);
    const customerPage = await customerContext.newPage();
    await customerPage.goto(`/c/${caseId}`);

    const context = await signedInContext(browser, server, agent);
    const page = await context.newPage();
    await page.goto('/console');
    await page.getByText('1 waiting').waitFor();
    await page.getByRole('link', { name: /Order 4411 never arrived/ }).click();
    await page.getByRole('log', { name: 'Order 4411 never arrived' }).getByText('Order 4411 never arrived, please help').waitFor();
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('complementary').getByText('Active').waitFor();
    await page.getByRole('complementary').getByText(agent.name).waitFor();

    await page.getByLabel('Canned response').selectOption({ index: 1 });
    await expect.poll(() => page.getByRole('textbox', { name: 'Message' }).inputValue()).toContain('thanks for reaching out');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await customerPage.getByRole('log').getByText('thanks for reaching out', { exact: false }).waitFor();

    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByRole('complementary').getByText('Resolved').waitFor();
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
    const stored = await server.request('GET', `/v1/support/cases/${caseId}`, { token: agent.token });
    expect(stored.body.case).toMatchObject({ status: 'resolved', assigned_agent_id: agent.id });
    await customerContext.close();
    await context.close();
  });

  it('moves through cases with the keyboard and has no serious axe-core violation', async () => {
    const first = await openCase('Refund for trip 77');
    const second = await openCase('Driver was late');
    const context = await signedInContext(browser, server, agent);
    const page = await context.newPage();
    await page.goto('/console');
    await page.getByRole('button', { name: 'Unassigned' }).click();
    await page.getByRole('link', { name: /Driver was late/ }).waitFor();
    await page.keyboard.press('Alt+KeyJ');
    const listed = await page.getByRole('list').filter({ hasText: 'Driver was late' }).getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    await expect.poll(() => new URL(page.url()).pathname).toBe(listed[0]);
    // The composer has the focus now: the shortcuts work from there too.
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    await page.keyboard.press('Alt+KeyJ');
    await expect.poll(() => new URL(page.url()).pathname).toBe(listed[1]);
    expect([first, second].map((id) => `/console/${id}`).sort()).toEqual([...listed].sort());
    await page.getByRole('complementary').getByText('Waiting', { exact: true }).waitFor();
    await expectNoSeriousAxeViolations(page, 'the agent console');
    await context.close();
  });
});
