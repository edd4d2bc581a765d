import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('messages over REST', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  async function pair() {
    const a = await server.user(['CONTROL_STAFF']);
    const b = await server.user(['CONTROL_STAFF']);
    const res = await server.request('POST', '/v1/conversations', { token: a.token, body: { participant_ids: [b.user.id] } });
    return { a, b, id: res.body.conversation.id as string };
  }
  const send = (token: string, id: string, body: unknown) => server.request('POST', `/v1/conversations/${id}/messages`, { token, body });

  it('sends a message and returns it with its seq', async () => {
    const { a, id } = await pair();
    const res = await send(a.token, id, { content: 'Hello', metadata: { route: 7 } });
    expect(res.status).toBe(201);
    expect(res.body.message).toMatchObject({ conversation_id: id, seq: 1, sender_id: a.user.id, kind: 'text', content: 'Hello', metadata: { route: 7 } });
  });

  it('keeps seq gap-free and ordered under 50 concurrent senders', async () => {
    const owner = await server.user(['CONTROL_STAFF']);
    const senders = await Promise.all(Array.from({ length: 50 }, () => server.user(['CONTROL_STAFF'])));
    const id = (await server.request('POST', '/v1/conversations', { token: owner.token, body: { participant_ids: senders.map((s) => s.user.id) } })).body.conversation.id;
    const results = await Promise.all(senders.map((s, i) => send(s.token, id, { content: `m${i}` })));
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(results.map((r) => r.body.message.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const page = await server.request('GET', `/v1/conversations/${id}/messages?limit=100`, { token: owner.token });
    expect(page.body.messages.map((m: { seq: number }) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(page.body.messages.map((m: { content: string }) => m.content)).size).toBe(50);
  });

  it('returns the original message for a retried client_id and writes nothing new', async () => {
    const { a, b, id } = await pair();
    const first = await send(a.token, id, { content: 'once', client_id: 'c-1' });
    const retry = await send(a.token, id, { content: 'once', client_id: 'c-1' });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect(retry.body.message.id).toBe(first.body.message.id);
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => send(a.token, id, { content: 'twice', client_id: 'c-2' })));
    expect(new Set(concurrent.map((r) => r.body.message.id)).size).toBe(1);
    expect(concurrent.filter((r) => r.status === 201)).toHaveLength(1);
    // The same client id from another sender is a different message.
    expect((await send(b.token, id, { content: 'mine', client_id: 'c-1' })).status).toBe(201);
    const page = await server.request('GET', `/v1/conversations/${id}/messages`, { token: a.token });
    expect(page.body.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3]);
  });

  it('pages by seq cursor backwards from the newest and forwards from after_seq', async () => {
    const { a, id } = await pair();
    for (let i = 1; i <= 7; i++) await send(a.token, id, { content: `n${i}` });
    const get = (q: string) => server.request('GET', `/v1/conversations/${id}/messages?${q}`, { token: a.token });
    const seqs = (r: { body: { messages: { seq: number }[] } }) => r.body.messages.map((m) => m.seq);

    const newest = await get('limit=3');
    expect(seqs(newest)).toEqual([5, 6, 7]);
    expect(newest.body.has_more).toBe(true);
    const older = await get('limit=3&before_seq=5');
    expect(seqs(older)).toEqual([2, 3, 4]);
    const oldest = await get('limit=3&before_seq=2');
    expect(seqs(oldest)).toEqual([1]);
    expect(oldest.body.has_more).toBe(false);
    const forward = await get('after_seq=4&limit=2');
    expect(seqs(forward)).toEqual([5, 6]);
    expect(forward.body.has_more).toBe(true);
    const tail = await get('after_seq=6');
    expect(seqs(tail)).toEqual([7]);
    expect(tail.body.has_more).toBe(false);
  });

  it('moves the read pointer forward only, and unread counts follow', async () => {
    const { a, b, id } = await pair();
    for (let i = 0; i < 4; i++) await send(a.token, id, { content: `x${i}` });
    const read = (seq?: number) => server.request('POST', `/v1/conversations/${id}/read`, { token: b.token, body: seq === undefined ? {} : { seq } });
    expect((await read(2)).body).toEqual({ conversation_id: id, last_read_seq: 2, unread_count: 2 });
    expect((await read(1)).body.last_read_seq).toBe(2);
    expect((await read(99)).body).toMatchObject({ last_read_seq: 4, unread_count: 0 });
    const list = await server.request('GET', '/v1/conversations', { token: b.token });
    expect(list.body.conversations.find((c: { id: string }) => c.id === id).unread_count).toBe(0);
  });

  it('accepts a reply to a message of the same conversation only', async () => {
    const { a, id } = await pair();
    const other = await pair();
    const original = (await send(a.token, id, { content: 'q' })).body.message;
    expect((await send(a.token, id, { content: 'a', reply_to: original.id })).body.message.reply_to).toBe(original.id);
    const foreign = (await send(other.a.token, other.id, { content: 'elsewhere' })).body.message;
    const res = await send(a.token, id, { content: 'a', reply_to: foreign.id });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe('/reply_to');
  });

  it('lets the author edit and delete their own message, and nobody else', async () => {
    const { a, b, id } = await pair();
    const message = (await send(a.token, id, { content: 'draft' })).body.message;
    const url = `/v1/conversations/${id}/messages/${message.id}`;
    expect((await server.request('PATCH', url, { token: b.token, body: { content: 'hijack' } })).status).toBe(403);
    const edited = await server.request('PATCH', url, { token: a.token, body: { content: 'final' } });
    expect(edited.body.message).toMatchObject({ content: 'final', seq: message.seq });
    expect(edited.body.message.edited_at).not.toBeNull();
    expect((await server.request('DELETE', url, { token: b.token })).status).toBe(403);
    const deleted = await server.request('DELETE', url, { token: a.token });
    expect(deleted.body.message).toMatchObject({ content: '', seq: message.seq });
    const page = await server.request('GET', `/v1/conversations/${id}/messages`, { token: b.token });
    expect(page.body.messages[0]).toMatchObject({ id: message.id, content: '' });
    expect(page.body.messages[0].deleted_at).not.toBeNull();
  });

  it('refuses a non-participant\'s send exactly as for a conversation that does not exist, and writes nothing', async () => {
    const { a, id } = await pair();
    const outsider = await server.user(['CONTROL_STAFF']);
    const res = await send(outsider.token, id, { content: 'let me in' });
    const missing = await send(outsider.token, 'no-such-conversation', { content: 'let me in' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(missing.body);
    expect(res.body.error.code).toBe('conversation_not_found');
    const page = await server.request('GET', `/v1/conversations/${id}/messages`, { token: a.token });
    expect(page.body.messages).toEqual([]);
  });

  it('refuses empty content, reserved kinds and content over the length limit', async () => {
    const { a, id } = await pair();
    for (const body of [{ content: '   ' }, { content: 'x', kind: 'system' }, { content: 'y'.repeat(10_001) }]) {
      const res = await send(a.token, id, body);
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });
});

describe('reactions over REST', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('adds and removes reactions, shows them on the message, and refuses outsiders', async () => {
    const a = await server.user(['CONTROL_STAFF']);
    const b = await server.user(['CONTROL_STAFF']);
    const outsider = await server.user(['CONTROL_STAFF']);
    const id = (await server.request('POST', '/v1/conversations', { token: a.token, body: { participant_ids: [b.user.id] } })).body.conversation.id;
    const message = (await server.request('POST', `/v1/conversations/${id}/messages`, { token: a.token, body: { content: 'ETA 5 min' } })).body.message;
    const url = (emoji: string) => `/v1/conversations/${id}/messages/${message.id}/reactions/${encodeURIComponent(emoji)}`;

    expect((await server.request('PUT', url('👍'), { token: b.token })).body.reactions).toEqual([{ emoji: '👍', count: 1, user_ids: [b.user.id] }]);
    await server.request('PUT', url('👍'), { token: a.token });
    const page = await server.request('GET', `/v1/conversations/${id}/messages`, { token: a.token });
    expect(page.body.messages[0].reactions).toEqual([{ emoji: '👍', count: 2, user_ids: expect.arrayContaining([a.user.id, b.user.id]) }]);
    expect((await server.request('DELETE', url('👍'), { token: b.token })).body.reactions).toEqual([{ emoji: '👍', count: 1, user_ids: [a.user.id] }]);
    expect((await server.request('PUT', url('👍'), { token: outsider.token })).status).toBe(404);
    expect((await server.request('PUT', url('two words'), { token: a.token })).status).toBe(422);
  });

  it('shows each message of a page its own reactions, and none on hidden or deleted ones', async () => {
    const a = await server.user(['CONTROL_STAFF']);
    const b = await server.user(['CONTROL_STAFF']);
    const id = (await server.request('POST', '/v1/conversations', { token: a.token, body: { participant_ids: [b.user.id] } })).body.conversation.id;
    const sent = [];
    for (const content of ['first', 'second', 'third', 'fourth']) sent.push((await server.request('POST', `/v1/conversations/${id}/messages`, { token: a.token, body: { content } })).body.message);
    for (const [i, emoji] of [[0, '👍'], [1, '🎉'], [2, '👀'], [3, '✅']] as const) {
      expect((await server.request('PUT', `/v1/conversations/${id}/messages/${sent[i].id}/reactions/${encodeURIComponent(emoji)}`, { token: b.token })).status).toBe(200);
    }
    await server.services.store.messages.update(sent[1].id, { hidden: true });
    expect((await server.request('DELETE', `/v1/conversations/${id}/messages/${sent[2].id}`, { token: a.token })).status).toBe(200);

    const page = await server.request('GET', `/v1/conversations/${id}/messages`, { token: b.token });
    expect(page.body.messages.map((m: { content: string; reactions: unknown[] }) => [m.content, m.reactions])).toEqual([
      ['first', [{ emoji: '👍', count: 1, user_ids: [b.user.id] }]],
      ['', []],
      ['', []],
      ['fourth', [{ emoji: '✅', count: 1, user_ids: [b.user.id] }]],
    ]);
  });
});
