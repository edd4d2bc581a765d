import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '@switchboard/protocol';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { TestSioClient } from '../support/sio-client.js';
import { generateWebhookSecret } from '../../src/webhooks/webhook-signer.js';
import { conversation, OpenClients, restHistory, type Frame, type TestUser } from '../ws/ws-fixtures.js';
import { status, TestReceiver } from './receiver.js';

const SECRET = generateWebhookSecret();
const TIMEOUT_MS = 300;
const BLOCKED_TERM = 'hookforbidden';

/**
 * The operator's hook, deciding by the draft's text: `reject …` is refused with a reason,
 * `modify …` comes back upper-cased with metadata, `slow …` is answered after the timeout, and
 * everything else is allowed.
 */
async function startHook(): Promise<TestReceiver> {
  return TestReceiver.start(async (_n, received, res) => {
    const { draft } = JSON.parse(received.body) as { draft: { content: string } };
    const text = draft.content;
    if (text.startsWith('reject')) return status(200, JSON.stringify({ action: 'reject', reason: `no thanks: ${text}` }))(res);
    if (text.startsWith('modify')) return status(200, JSON.stringify({ action: 'modify', content: text.toUpperCase(), metadata: { vetted: true } }))(res);
    if (text.startsWith('slow')) {
      await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 3));
      return status(200, JSON.stringify({ action: 'reject', reason: 'too late to count' }))(res);
    }
    if (text.startsWith('broken')) return status(500)(res);
    return status(200, JSON.stringify({ action: 'allow' }))(res);
  });
}

interface Attempt {
  readonly ok: boolean;
  readonly body: Frame;
  readonly status?: number;
}

interface Transport {
  readonly name: string;
  readonly room: 'conversation' | 'session';
  send(ctx: { server: TestServer; clients: OpenClients; sio: (who: TestUser, path?: string) => Promise<TestSioClient> }, who: TestUser, id: string, content: string): Promise<Attempt>;
  /** The refusal in this transport's shape; resolves the text the sender is shown. */
  refusal(attempt: Attempt, code: ErrorCode): string;
}

const TRANSPORTS: readonly Transport[] = [
  {
    name: 'v1 REST',
    room: 'conversation',
    async send({ server }, who, id, content) {
      const res = await server.request('POST', `/v1/conversations/${id}/messages`, { token: who.token, body: { content } });
      return { ok: res.status === 201, status: res.status, body: res.body };
    },
    refusal(attempt, code) {
      expect(attempt.status, JSON.stringify(attempt.body)).toBe(ERROR_CODES[code].status);
      expect(attempt.body.error.code).toBe(code);
      return attempt.body.error.message;
    },
  },
  {
    name: 'native WebSocket',
    room: 'conversation',
    async send({ clients }, who, id, content) {
      const reply = await (await clients.as(who)).request('send_chat_message', { conversation_id: id, content });
      return { ok: reply.success === true, body: reply };
    },
    refusal(attempt, code) {
      expect(attempt.body, JSON.stringify(attempt.body)).toMatchObject({ success: false, code, event: 'send_chat_message' });
      return attempt.body.error;
    },
  },
  {
    name: 'GuzoSync REST (profile)',
    room: 'conversation',
    async send({ server }, who, id, content) {
      const res = await server.request('POST', `/api/conversations/${id}/messages`, { token: who.token, body: { content } });
      return { ok: res.status === 201, status: res.status, body: res.body };
    },
    refusal(attempt, code) {
      expect(attempt.status, JSON.stringify(attempt.body)).toBe(ERROR_CODES[code].status);
      return attempt.body.detail;
    },
  },
  {
    name: 'support-desk Socket.IO',
    room: 'session',
    async send({ sio }, who, id, content) {
      const ack = await (await sio(who)).request('send_message', { session_id: id, content });
      return { ok: ack.success === true, body: ack };
    },
    refusal(attempt, code) {
      expect(attempt.body, JSON.stringify(attempt.body)).toMatchObject({ success: false, code });
      return attempt.body.error;
    },
  },
  {
    name: 'StepperGO Socket.IO',
    room: 'conversation',
    async send({ sio }, who, id, content) {
      const ack = await (await sio(who, '/api/socket')).request('message:send', { conversationId: id, content });
      return { ok: ack.success === true, body: ack };
    },
    refusal(attempt, code) {
      expect(attempt.body, JSON.stringify(attempt.body)).toMatchObject({ success: false, code });
      return attempt.body.error;
    },
  },
];

describe('the pre-send hook', () => {
  let hook: TestReceiver;
  let server: TestServer;
  const clients = new OpenClients(() => server);
  const sioOpen: TestSioClient[] = [];
  const sio = async (who: TestUser, path?: string) => {
    const client = await TestSioClient.connect(server.url, who.token, path === undefined ? {} : { path });
    sioOpen.push(client);
    return client;
  };
  const ctx = {
    get server() {
      return server;
    },
    clients,
    sio,
  };

  beforeAll(async () => {
    hook = await startHook();
    server = await startTestServer({ PRE_SEND_HOOK_URL: hook.url, PRE_SEND_HOOK_SECRET: SECRET, PRE_SEND_HOOK_TIMEOUT_MS: String(TIMEOUT_MS) });
    const blocked = await server.request('PUT', '/v1/moderation/blocklist', { apiKey: TEST_API_KEY, body: { terms: [BLOCKED_TERM], action: 'block' } });
    expect(blocked.status).toBe(200);
  });
  afterEach(() => {
    clients.closeAll();
    for (const c of sioOpen.splice(0)) c.close();
  });
  afterAll(async () => {
    await server.close();
    await hook.close();
  });

  async function room(kind: Transport['room']): Promise<{ id: string; sender: TestUser; peer: TestUser }> {
    const sender = await server.user(['customer']);
    if (kind === 'conversation') {
      const peer = await server.user(['customer']);
      return { id: await conversation(server, sender, [peer]), sender, peer };
    }
    const opened = await server.request('POST', '/v1/support/cases', { token: sender.token, body: { subject: 'Where is my order?' } });
    const id = opened.body.case.conversation_id as string;
    const agent = await server.user(['support']);
    expect((await server.request('POST', `/v1/support/cases/${id}/accept`, { token: agent.token })).status).toBe(200);
    return { id, sender, peer: agent };
  }

  describe.each(TRANSPORTS.map((t) => [t.name, t] as const))('over %s', (_name, transport) => {
    const last = async (r: { id: string; peer: TestUser }) => (await restHistory(server, r.peer, r.id)).at(-1);

    it('lets an allowed message through as written', async () => {
      const r = await room(transport.room);
      const sent = await transport.send(ctx, r.sender, r.id, 'allowed: bus 12 at the depot');
      expect(sent.ok, JSON.stringify(sent.body)).toBe(true);
      expect(await last(r)).toMatchObject({ content: 'allowed: bus 12 at the depot', sender_id: r.sender.user.id });
    });

    it('refuses a rejected message with rejected_by_hook and the hook’s reason, writing nothing', async () => {
      const r = await room(transport.room);
      const before = (await restHistory(server, r.peer, r.id)).length;
      const refused = await transport.send(ctx, r.sender, r.id, 'reject this one');
      expect(refused.ok).toBe(false);
      expect(transport.refusal(refused, 'rejected_by_hook')).toBe('no thanks: reject this one');
      expect(await restHistory(server, r.peer, r.id)).toHaveLength(before);
    });

    it('stores a modified message as the hook modified it', async () => {
      const r = await room(transport.room);
      const sent = await transport.send(ctx, r.sender, r.id, 'modify me please');
      expect(sent.ok, JSON.stringify(sent.body)).toBe(true);
      expect(await last(r)).toMatchObject({ content: 'MODIFY ME PLEASE', metadata: { vetted: true } });
    });

    it('still applies the blocklist to the modified text', async () => {
      const r = await room(transport.room);
      const refused = await transport.send(ctx, r.sender, r.id, `modify into ${BLOCKED_TERM.toUpperCase()}`);
      expect(refused.ok).toBe(false);
      transport.refusal(refused, 'blocked_content');
    });

    it('sends the message when the hook does not answer in time (failing open)', async () => {
      const r = await room(transport.room);
      const sent = await transport.send(ctx, r.sender, r.id, 'slow: driver needs help');
      expect(sent.ok, JSON.stringify(sent.body)).toBe(true);
      expect(await last(r)).toMatchObject({ content: 'slow: driver needs help' });
    });
  });

  it('signs its call like a webhook and sends the draft, the sender and the conversation', async () => {
    const r = await room('conversation');
    const before = hook.received.length;
    await TRANSPORTS[0]!.send(ctx, r.sender, r.id, 'allowed: signed');
    const call = hook.received[before]!;
    const body = new Webhook(SECRET).verify(call.body, call.headers as Record<string, string>);
    expect(body).toMatchObject({ draft: { content: 'allowed: signed', kind: 'text', metadata: {} }, sender: { id: r.sender.user.id }, conversation: { id: r.id } });
  });

  it('does not ask again for a retry of a message already written with that client id', async () => {
    const r = await room('conversation');
    const send = () => server.request('POST', `/v1/conversations/${r.id}/messages`, { token: r.sender.token, body: { content: 'modify once', client_id: 'once-1' } });
    const first = await send();
    expect(first.status).toBe(201);
    const calls = hook.received.length;
    const retry = await send();
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(retry.body.message).toMatchObject({ id: first.body.message.id, content: 'MODIFY ONCE' });
    expect(hook.received.length).toBe(calls);
  });
});

describe('the pre-send hook failing closed', () => {
  let hook: TestReceiver;
  let server: TestServer;
  beforeAll(async () => {
    hook = await startHook();
    server = await startTestServer({ PRE_SEND_HOOK_URL: hook.url, PRE_SEND_HOOK_SECRET: SECRET, PRE_SEND_HOOK_TIMEOUT_MS: String(TIMEOUT_MS), PRE_SEND_HOOK_FAILURE: 'closed' });
  });
  afterAll(async () => {
    await server.close();
    await hook.close();
  });

  it('refuses with hook_unavailable (retryable) when the hook times out or fails, and writes nothing', async () => {
    const sender = await server.user(['customer']);
    const peer = await server.user(['customer']);
    const id = await conversation(server, sender, [peer]);
    for (const content of ['slow: late', 'broken: 500']) {
      const res = await server.request('POST', `/v1/conversations/${id}/messages`, { token: sender.token, body: { content } });
      expect(res.status, JSON.stringify(res.body)).toBe(503);
      expect(res.body.error).toMatchObject({ code: 'hook_unavailable', retryable: true });
    }
    expect(await restHistory(server, peer, id)).toHaveLength(0);
    const allowed = await server.request('POST', `/v1/conversations/${id}/messages`, { token: sender.token, body: { content: 'allowed' } });
    expect(allowed.status).toBe(201);
  });
});
