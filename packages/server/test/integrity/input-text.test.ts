import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requiredService } from '../support/required-service.js';
import { createScratchPostgres, dropScratchPostgres, type ScratchPostgres } from '../support/scratch-postgres.js';
import { TestSioClient } from '../support/sio-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

const adminUrl = requiredService('TEST_DATABASE_URL', 'PostgreSQL (input text)');
const STORES = ['sqlite', ...(adminUrl ? ['postgres'] : [])] as const;

/** `{"a":{"a":…}}` nested `depth` times, as JSON text (building it as an object would be as deep). */
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe.each(STORES)('text every store keeps as sent, on %s', (store) => {
  let server: TestServer;
  let scratch: ScratchPostgres | undefined;
  let token: string;
  let id: string;
  beforeAll(async () => {
    if (store === 'postgres') scratch = await createScratchPostgres(adminUrl!, 'input_text');
    server = await startTestServer(scratch ? { DATABASE_URL: scratch.url } : {});
    const customer = await server.user(['customer']);
    token = customer.token;
    id = (await server.request('POST', '/v1/support/cases', { token, body: { subject: 'Text' } })).body.case.conversation_id;
  });
  afterAll(async () => {
    await server?.close();
    if (scratch) await dropScratchPostgres(adminUrl!, scratch.name);
  });

  const send = (body: string) => server.request('POST', `/v1/conversations/${id}/messages`, { token, body });

  it('refuses a NUL anywhere with 422, naming where, and stores nothing', async () => {
    for (const body of ['{"content":"a\\u0000b"}', '{"content":"ok","client_id":"c\\u0000"}', '{"content":"ok","metadata":{"k\\u0000":1}}']) {
      const res = await send(body);
      expect(res.status, body).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [{ message: expect.stringMatching(/NUL/) }] });
    }
    expect((await server.request('GET', `/v1/conversations/${id}%00x`, { token })).status).toBe(422);
    const login = await server.request('POST', '/v1/auth/login', { body: '{"email":"a\\u0000@example.com","password":"x"}' });
    expect(login.status).toBe(422);
    expect((await server.request('GET', `/v1/conversations/${id}/messages`, { token })).body.messages).toEqual([]);
  });

  it('refuses a lone surrogate with 422 instead of storing U+FFFD', async () => {
    for (const body of ['{"content":"\\ud83d"}', '{"content":"x\\ude00y"}']) {
      const res = await send(body);
      expect(res.status, body).toBe(422);
      expect(res.body.error.details[0].message).toMatch(/surrogate/);
    }
    // A whole pair is an ordinary emoji.
    const ok = await send('{"content":"\\ud83d\\ude00"}');
    expect(ok.status).toBe(201);
    expect(ok.body.message.content).toBe('😀');
  });

  it('refuses metadata nested past the limit with 422, never a 500', async () => {
    for (const depth of [40, 10_000]) {
      const res = await send(`{"content":"deep","metadata":${nested(depth)}}`);
      expect(res.status, String(depth)).toBe(422);
      expect(res.body.error.details[0].message).toMatch(/deeper than 32/);
    }
    expect((await send(`{"content":"shallow","metadata":${nested(10)}}`)).status).toBe(201);
  });

  it('answers the same on the native WebSocket and Socket.IO', async () => {
    const ws = await TestWsClient.authenticated(server.url, token);
    const sio = await TestSioClient.connect(server.url, token);
    try {
      ws.send(`{"type":"send_chat_message","request_id":"r1","data":{"conversation_id":"${id}","content":"a\\u0000b"}}`);
      expect(await ws.next((f) => f.request_id === 'r1')).toMatchObject({ success: false, code: 'validation_failed' });
      ws.send(`{"type":"send_chat_message","request_id":"r2","data":{"conversation_id":"${id}","content":"x","metadata":${nested(5000)}}}`);
      expect(await ws.next((f) => f.request_id === 'r2')).toMatchObject({ success: false, code: 'validation_failed' });
      expect(await sio.request('send_message', { session_id: id, content: 'lone \ud83d' })).toMatchObject({ success: false, code: 'validation_failed' });
    } finally {
      ws.close();
      sio.close();
    }
  });
});
