import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requiredService } from '../support/required-service.js';
import { createScratchPostgres, dropScratchPostgres } from '../support/scratch-postgres.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { conversation, OpenClients, restSend, type Frame, type TestUser } from '../ws/ws-fixtures.js';

const adminUrl = requiredService('TEST_DATABASE_URL', 'PostgreSQL (search over the API)');
const dialects = ['sqlite', ...(adminUrl ? ['postgres' as const] : [])] as const;

/**
 * GET /v1/search/messages and the native frame search_messages: one answer on both transports,
 * only from conversations the caller may read now, every bad question a 422 in the error shape.
 */
describe.each(dialects)('message search over REST and the native WebSocket on %s', (dialect) => {
  let server: TestServer;
  let dropDatabase: (() => Promise<void>) | undefined;
  const clients = new OpenClients(() => server);
  beforeAll(async () => {
    if (dialect === 'sqlite') {
      server = await startTestServer();
      return;
    }
    const scratch = await createScratchPostgres(adminUrl!, 'sb_search');
    dropDatabase = () => dropScratchPostgres(adminUrl!, scratch.name);
    server = await startTestServer({ DATABASE_URL: scratch.url });
  });
  afterEach(() => clients.closeAll());
  afterAll(async () => {
    await server?.close();
    await dropDatabase?.();
  });

  const staff = () => server.user(['CONTROL_STAFF']);
  const get = (who: TestUser | undefined, query: Record<string, string | number>) => {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
    return server.request('GET', `/v1/search/messages?${qs}`, who ? { token: who.token } : { apiKey: TEST_API_KEY });
  };
  const contents = (body: Frame) => body.results.map((r: Frame) => r.message.content);

  /** Two staff in a conversation with one message in each language. */
  async function room() {
    const [a, b] = [await staff(), await staff()];
    const id = await conversation(server, a, [b]);
    const sent = {
      am: await restSend(server, a, id, 'አውቶቡሱ ከአዲስ አበባ ተነስቷል'),
      ru: await restSend(server, b, id, 'Автобус выехал из Алматы'),
      kk: await restSend(server, a, id, 'Автобус Алматыдан шықты'),
      en: await restSend(server, b, id, 'Departure delayed by roadworks'),
    };
    return { a, b, id, sent };
  }

  it('answers with the message, its place and a marked snippet, newest first', async () => {
    const { a, id, sent } = await room();
    const res = await get(a, { q: 'АЛМАТЫ', conversation_id: id });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      results: [
        { message: expect.objectContaining({ id: sent.kk.id, content: 'Автобус Алматыдан шықты' }), conversation_id: id, seq: sent.kk.seq, snippet: 'Автобус <mark>Алматы</mark>дан шықты' },
        { message: expect.objectContaining({ id: sent.ru.id }), conversation_id: id, seq: sent.ru.seq, snippet: 'Автобус выехал из <mark>Алматы</mark>' },
      ],
      next_cursor: null,
    });
    expect(contents((await get(a, { q: 'አዲስ' })).body)).toEqual(['አውቶቡሱ ከአዲስ አበባ ተነስቷል']);
  });

  it('gives the native WebSocket the same answer', async () => {
    const { a, id } = await room();
    const rest = await get(a, { q: 'автобус', conversation_id: id, limit: 1 });
    const socket = await clients.as(a);
    const reply = await socket.request('search_messages', { q: 'автобус', conversation_id: id, limit: 1 });
    expect(reply).toMatchObject({ success: true, results: rest.body.results, next_cursor: rest.body.next_cursor });
    expect(rest.body.next_cursor).toEqual(expect.any(String));
    const next = await socket.request('search_messages', { q: 'автобус', conversation_id: id, cursor: reply.next_cursor });
    expect(next.results.map((r: Frame) => r.message.content)).toEqual(['Автобус выехал из Алматы']);
    expect(next.next_cursor).toBeNull();
  });

  it('pages by next_cursor without repeating or skipping a result', async () => {
    const { a, id } = await room();
    for (let i = 1; i <= 5; i++) await restSend(server, a, id, `platform ${i}`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: Frame } = await get(a, { q: 'platform', limit: 2, ...(cursor !== null && { cursor }) });
      seen.push(...contents(res.body));
      cursor = res.body.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(['platform 5', 'platform 4', 'platform 3', 'platform 2', 'platform 1']);
  });

  it('finds nothing of a conversation for someone outside it, on either transport', async () => {
    const { id } = await room();
    // Of another desk, so no support case of the tests around is theirs to read either.
    const stranger = await server.user(['support']);
    expect((await get(stranger, { q: 'алматы' })).body).toEqual({ results: [], next_cursor: null });
    const named = await get(stranger, { q: 'алматы', conversation_id: id });
    expect(named.status).toBe(404);
    expect(named.body.error.code).toBe('conversation_not_found');
    expect((await get(stranger, { q: 'алматы', conversation_id: 'no-such-conversation' })).body.error.code).toBe('conversation_not_found');
    const socket = await clients.as(stranger);
    expect(await socket.request('search_messages', { q: 'алматы', conversation_id: id })).toMatchObject({ success: false, code: 'conversation_not_found' });
    expect(await socket.request('search_messages', { q: 'алматы' })).toMatchObject({ success: true, results: [] });
  });

  it('lets those the policy lets read a conversation search it: monitors, queue staff, the host app', async () => {
    const { id } = await room();
    const operator = await server.user(['operator']);
    expect(contents((await get(operator, { q: 'алматы', conversation_id: id })).body)).toHaveLength(2);
    expect(contents((await get(undefined, { q: 'алматы', conversation_id: id })).body)).toHaveLength(2);

    const driver = await server.user(['BUS_DRIVER']);
    const opened = await server.request('POST', '/v1/support/cases', { token: driver.token, body: { subject: 'Breakdown', content: 'Engine failure near Алматы depot' } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const caseId = opened.body.conversation.id;
    const queueStaff = await staff();
    expect(contents((await get(queueStaff, { q: 'engine fail' })).body)).toEqual(['Engine failure near Алматы depot']);
    const otherDesk = await server.user(['support']);
    expect((await get(otherDesk, { q: 'engine fail' })).body.results).toEqual([]);
    expect((await get(otherDesk, { q: 'engine fail', conversation_id: caseId })).status).toBe(404);
  });

  it('re-indexes edits and forgets deleted and hidden messages', async () => {
    const { a, b, id, sent } = await room();
    const edited = await server.request('PATCH', `/v1/conversations/${id}/messages/${sent.kk.id}`, { token: a.token, body: { content: 'Автобус прибыл в Шымкент' } });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(contents((await get(b, { q: 'алматы', conversation_id: id })).body)).toEqual(['Автобус выехал из Алматы']);
    expect(contents((await get(b, { q: 'шымкент', conversation_id: id })).body)).toEqual(['Автобус прибыл в Шымкент']);

    expect((await server.request('DELETE', `/v1/conversations/${id}/messages/${sent.ru.id}`, { token: b.token })).status).toBe(200);
    expect((await get(a, { q: 'алматы', conversation_id: id })).body.results).toEqual([]);

    const moderator = await server.user(['operator']);
    const hidden = await server.request('POST', `/v1/moderation/reports/${sent.en.id}/actions`, { token: moderator.token, body: { action: 'hide', reason: 'test' } });
    expect(hidden.status, JSON.stringify(hidden.body)).toBe(200);
    expect((await get(b, { q: 'delayed', conversation_id: id })).body.results).toEqual([]);
    expect((await get(moderator, { q: 'delayed', conversation_id: id })).body.results).toEqual([]);
  });

  it('refuses a query under three characters, and every other bad question, with 422 in the error shape', async () => {
    const { a } = await room();
    const short = await get(a, { q: 'ab' });
    expect(short.status).toBe(422);
    expect(short.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: '/q', message: expect.stringContaining('at least 3 characters') }] });
    // Three characters typed, two once the spaces and punctuation are gone.
    expect((await get(a, { q: ' ab ' })).body.error.code).toBe('validation_failed');
    expect((await get(a, { q: 'ሰላ።' })).status).toBe(422);
    const socket = await clients.as(a);
    expect(await socket.request('search_messages', { q: 'ab' })).toMatchObject({ success: false, code: 'validation_failed' });

    const bad: Record<string, string | number>[] = [{}, { q: 'bus', limit: 0 }, { q: 'bus', limit: 101 }, { q: 'bus', before: 'yesterday' }, { q: 'bus', after: '2030-13-45' }, { q: 'bus', cursor: 'bm9wZQ' }, { q: 'bus', colour: 'red' }, { q: 'x'.repeat(201) }];
    for (const query of bad) {
      const res = await get(a, query);
      expect(res.status, JSON.stringify(query)).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const forged = Buffer.from('s1:not-a-position').toString('base64url');
    expect((await get(a, { q: 'bus', cursor: forged })).body.error).toMatchObject({ code: 'validation_failed', details: [{ path: '/cursor' }] });
  });

  it('wants a credential', async () => {
    const res = await server.request('GET', '/v1/search/messages?q=bus');
    expect(res.status).toBe(401);
  });
});
