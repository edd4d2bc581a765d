import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requiredBinary } from '../attachments/required-binary.js';
import { eventually } from '../support/cluster.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CHROMIUM = requiredBinary('/usr/bin/chromium', 'Chromium (SDK in the browser)', 'apt-get install -y chromium');

/** The SDK's browser entry as one script that sets `window.SwitchboardSDK`. */
async function sdkScript(): Promise<string> {
  const result = await build({ entryPoints: [join(import.meta.dirname, '..', '..', '..', 'sdk', 'src', 'index.ts')], bundle: true, format: 'iife', globalName: 'SwitchboardSDK', platform: 'browser', write: false });
  return result.outputFiles[0]!.text;
}

type Pending = { clientId: string; status: string }[];

describe.skipIf(!CHROMIUM)('SDK in Chromium: the IndexedDB outbox', () => {
  let server: TestServer;
  let context: BrowserContext;
  let profile: string;
  let script: string;

  beforeAll(async () => {
    [server, script] = await Promise.all([startTestServer(), sdkScript()]);
    profile = mkdtempSync(join(tmpdir(), 'sdk-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM!,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function page(): Promise<Page> {
    const p = context.pages()[0] ?? (await context.newPage());
    await p.goto(`${server.url}/health`);
    await p.addScriptTag({ content: script });
    return p;
  }

  it('sends made offline survive a reload and go out once from the next page', async () => {
    const a = await server.user(['customer']);
    const b = await server.user(['customer']);
    const created = await server.request('POST', '/v1/conversations', { token: a.token, body: { type: 'direct', participant_ids: [b.user.id] } });
    const conversationId = created.body.conversation.id as string;
    const setup = { url: server.url, token: a.token, conversationId, db: `switchboard-outbox:${a.user.id}` };

    const first = await page();
    await context.setOffline(true);
    const stored = await first.evaluate(async ({ url, token, conversationId, db }) => {
      const { createClient, indexedDbOutbox } = (window as any).SwitchboardSDK;
      const client = createClient({ url, token, outbox: indexedDbOutbox(db), backoff: { minMs: 100, maxMs: 200 } });
      client.connect().catch(() => {});
      const conversation = client.conversation(conversationId, { since: 0 });
      const sends = ['written offline', 'and another'].map((content) => conversation.send({ content }).catch(() => {}));
      while (conversation.pending().length < 2) await new Promise((r) => setTimeout(r, 20));
      const pending = conversation.pending();
      client.close();
      await Promise.all(sends);
      return pending;
    }, setup) as Pending;
    expect(stored.map((s) => s.status)).toEqual(['pending', 'pending']);
    expect((await server.request('GET', `/v1/conversations/${conversationId}/messages`, { token: a.token })).body.messages).toEqual([]);

    await context.setOffline(false);
    await first.reload();
    await first.addScriptTag({ content: script });
    const delivered = await first.evaluate(async ({ url, token, conversationId, db }) => {
      const { createClient, indexedDbOutbox } = (window as any).SwitchboardSDK;
      const client = createClient({ url, token, outbox: indexedDbOutbox(db) });
      const conversation = client.conversation(conversationId, { since: 0 });
      const seen: string[] = [];
      conversation.on('message', (m: { content: string }) => seen.push(m.content));
      await client.connect();
      while (seen.length < 2 || conversation.pending().length > 0) await new Promise((r) => setTimeout(r, 20));
      client.close();
      return seen;
    }, setup);
    expect(delivered).toEqual(['written offline', 'and another']);
    const onServer = await eventually(async () => {
      const r = await server.request('GET', `/v1/conversations/${conversationId}/messages`, { token: a.token });
      return r.body.messages.length === 2 && r.body.messages;
    }, 5000, 'both stored');
    expect(onServer.map((m: { client_id: string }) => m.client_id)).toEqual(stored.map((s) => s.clientId));
  });
});
