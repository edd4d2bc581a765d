import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('bad input over REST', () => {
  let server: TestServer;
  let token: string;
  let id: string;

  beforeAll(async () => {
    server = await startTestServer({ BODY_LIMIT_BYTES: '4096' });
    ({ token } = await server.user(['CONTROL_STAFF']));
    id = (await server.request('POST', '/v1/conversations', { token, body: {} })).body.conversation.id;
  });
  afterAll(() => server.close());

  async function raw(body: BodyInit, contentType = 'application/json') {
    const response = await fetch(`${server.url}/v1/conversations/${id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body,
    });
    return { status: response.status, body: (await response.json()) as { error: { code: string; message: string; details?: unknown } } };
  }

  async function expectNothingWritten() {
    const page = await server.request('GET', `/v1/conversations/${id}/messages`, { token });
    expect(page.body.messages).toEqual([]);
  }

  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await raw('{"content": "unterminated');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
    await expectNothingWritten();
  });

  it('answers an empty JSON body with 400 invalid_json', async () => {
    const res = await raw('');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
  });

  it('answers bytes that are not UTF-8 with 400 invalid_encoding', async () => {
    const res = await raw(Buffer.concat([Buffer.from('{"content":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_encoding');
    await expectNothingWritten();
  });

  it('answers wrong types with 422 validation_failed naming the field', async () => {
    const res = await raw(JSON.stringify({ content: 42 }));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'body/content' })]));
  });

  it('answers unknown fields with 422 instead of dropping them', async () => {
    const res = await raw(JSON.stringify({ content: 'hi', sender_id: 'someone-else' }));
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ path: 'body/sender_id', message: 'unknown field' }]);
    await expectNothingWritten();
  });

  it('answers a missing required field with 422', async () => {
    const res = await raw(JSON.stringify({ kind: 'text' }));
    expect(res.status).toBe(422);
  });

  it('answers prototype-poisoning keys with 400', async () => {
    const res = await raw('{"content":"x","__proto__":{"admin":true}}');
    expect(res.status).toBe(400);
  });

  it('answers an oversized body with 413 payload_too_large', async () => {
    const res = await raw(JSON.stringify({ content: 'z'.repeat(10_000) }));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    await expectNothingWritten();
  });

  it('answers an unsupported content type with 415', async () => {
    const res = await raw('content=hi', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('answers out-of-range and mistyped query parameters with 422', async () => {
    for (const q of ['limit=101', 'limit=0', 'limit=ten', 'before_seq=-1', 'cursor=1']) {
      const res = await server.request('GET', `/v1/conversations/${id}/messages?${q}`, { token });
      expect(res.status, q).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });

  it('answers unknown routes and ids with 404 in the error shape', async () => {
    const route = await server.request('GET', '/v1/nope', { token });
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe('route_not_found');
    const missing = await server.request('POST', '/v1/conversations/ghost/messages', { token, body: { content: 'x' } });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('conversation_not_found');
    const message = await server.request('PATCH', `/v1/conversations/${id}/messages/ghost`, { token, body: { content: 'x' } });
    expect(message.status).toBe(404);
    expect(message.body.error.code).toBe('message_not_found');
    const user = await server.request('GET', '/v1/users/ghost', { token });
    expect(user.status).toBe(404);
  });

  it('answers a malformed Authorization header with 401', async () => {
    for (const authorization of ['Bearer', 'Basic abc', 'Bearer not.a.jwt', 'Bearer ' + 'a'.repeat(3000)]) {
      const response = await fetch(`${server.url}/v1/me`, { headers: { authorization } });
      expect(response.status, authorization.slice(0, 20)).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toMatch(/unauthenticated|invalid_token/);
    }
  });

  it('keeps serving after all of the above', async () => {
    const res = await server.request('POST', `/v1/conversations/${id}/messages`, { token, body: { content: 'still here' } });
    expect(res.status).toBe(201);
    expect(res.body.message.seq).toBe(1);
  });
});
