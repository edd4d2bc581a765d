import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpRelay } from '../cluster/tcp-relay.js';
import { requiredService } from '../support/required-service.js';
import { createScratchPostgres, dropScratchPostgres, type ScratchPostgres } from '../support/scratch-postgres.js';
import { TestSioClient } from '../support/sio-client.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';
import { eventually } from '../ws/ws-fixtures.js';

/**
 * Every error class through every profile: each answers in its own shape with the registry's
 * status, and none answers a client's mistake with a 5xx. One suite, run on every store.
 */

interface RestProfile {
  readonly name: string;
  /** A route that needs a token and takes a JSON body: sending a message. */
  send(conversationId: string): string;
  /** A valid body for it. */
  readonly body: Record<string, unknown>;
  /** A body the schema refuses. */
  readonly invalid: Record<string, unknown>;
  /** Whether unknown fields are refused (v1) or ignored (the originals did not refuse them). */
  readonly strict: boolean;
  /** Asserts the profile's error shape for a registry code. */
  shaped(body: any, code: string): void;
  /** Fields naming the conversation in the body, for profiles that name it there (by its host object). */
  target?(conversationId: string): Record<string, unknown>;
}

/** The trip each conversation of the suite is reached by on StepperGO, which names trips, not conversations. */
const tripIds = new Map<string, string>();

const PROFILES: readonly RestProfile[] = [
  {
    name: 'v1',
    send: (id) => `/v1/conversations/${id}/messages`,
    body: { content: 'hello' },
    invalid: { content: 42 },
    strict: true,
    shaped: (body, code) => expect(body).toMatchObject({ error: { code, message: expect.any(String) } }),
  },
  {
    name: 'guzosync',
    send: (id) => `/api/conversations/${id}/messages`,
    body: { content: 'hello', message_type: 'TEXT' },
    invalid: { message_type: 'TEXT' },
    strict: false,
    shaped: (body, code) => {
      expect(Object.keys(body)).toEqual(['detail']);
      if (code === 'validation_failed') expect(body.detail[0]).toMatchObject({ loc: expect.arrayContaining(['body']), msg: expect.any(String), type: 'value_error' });
      else expect(typeof body.detail).toBe('string');
    },
  },
  {
    name: 'support-desk',
    send: (id) => `/api/v1/chat/sessions/${id}/messages`,
    body: { content: 'hello' },
    invalid: { content: ['not', 'text'] },
    strict: false,
    shaped: (body, code) => expect(body).toMatchObject({ success: false, error: expect.any(String), code }),
  },
  {
    name: 'steppergo',
    send: () => '/api/messages/send',
    target: (id) => ({ tripId: tripIds.get(id) ?? id }),
    body: { content: 'hello' },
    invalid: { content: 42 },
    strict: false,
    shaped: (body, code) => {
      expect(body).toMatchObject({ error: expect.any(String), code });
      expect(typeof body.error).toBe('string');
    },
  },
  {
    name: 'morevans',
    send: () => '/api/v1/chat-messages/',
    target: (id) => ({ chat_room: id }),
    body: { content: 'hello' },
    invalid: { content: 42 },
    strict: false,
    // The view's {"error"}, or DRF's {"detail"} for what DRF itself answers (401, 404, 429).
    shaped: (body, code) => {
      expect(body).toMatchObject({ code });
      expect(Object.keys(body).filter((k) => k === 'error' || k === 'detail')).toHaveLength(1);
      expect(typeof (body.error ?? body.detail)).toBe('string');
    },
  },
];

/** The profile's body for a send to the conversation. */
const bodyFor = (profile: RestProfile, conversationId: string, body: Record<string, unknown>) => JSON.stringify({ ...body, ...profile.target?.(conversationId) });

/** The host app registers a trip whose conversation holds `userId`, for StepperGO's routes. */
async function registerTrip(server: TestServer, tripId: string, userId: string, conversationId: string): Promise<void> {
  const res = await server.request('PUT', `/v1/conversations/by-context/trip/${tripId}`, { apiKey: TEST_API_KEY, body: { participants: [{ user_id: userId, role: 'passenger' }] } });
  expect([200, 201]).toContain(res.status);
  tripIds.set(conversationId, tripId);
}

async function raw(server: TestServer, method: string, path: string, init: { token?: string; body?: string; contentType?: string }) {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.contentType !== undefined) headers['content-type'] = init.contentType;
  const response = await fetch(`${server.url}${path}`, { method, headers, ...(init.body !== undefined && { body: init.body }) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown), headers: response.headers };
}

interface Store {
  readonly name: string;
  readonly env: () => Promise<Record<string, string>>;
  readonly cleanup?: () => Promise<void>;
  /** Cuts the store's connections (PostgreSQL only), for the store-down class. */
  readonly cut?: (down: boolean) => Promise<void>;
}

const adminUrl = requiredService('TEST_DATABASE_URL', 'PostgreSQL (profile contract)');
let relay: TcpRelay | undefined;
let scratch: ScratchPostgres | undefined;
const STORES: Store[] = [{ name: 'sqlite', env: async () => ({}) }];
if (adminUrl) {
  STORES.push({
    name: 'postgres',
    env: async () => {
      scratch = await createScratchPostgres(adminUrl, 'contract');
      const url = new URL(scratch.url);
      relay = await TcpRelay.start({ host: url.hostname, port: Number(url.port || 5432) });
      url.hostname = '127.0.0.1';
      url.port = String(relay.port);
      return { DATABASE_URL: url.toString(), DATABASE_CONNECT_TIMEOUT_MS: '1000' };
    },
    cut: (down) => relay!.set(down ? 'refuse' : 'forward'),
    cleanup: async () => {
      await relay?.close();
      if (scratch) await dropScratchPostgres(adminUrl, scratch.name);
    },
  });
}

describe.each(STORES)('profile contract on $name', (store) => {
  let server: TestServer;
  let member: { token: string; user: { id: string } };
  let stranger: { token: string };
  let conversationId: string;
  let caseId: string;
  let storeEnv: Record<string, string>;

  beforeAll(async () => {
    storeEnv = await store.env();
    server = await startTestServer({ ...storeEnv, BODY_LIMIT_BYTES: '4096', SEND_RATE_POINTS: '1000' });
    member = await server.user(['customer']);
    stranger = await server.user(['customer']);
    const opened = await server.request('POST', '/v1/support/cases', { token: member.token, body: { subject: 'Contract', content: 'first' } });
    caseId = opened.body.case.conversation_id;
    // The case is a conversation every profile can send to; v1 and GuzoSync use it too.
    conversationId = caseId;
    // StepperGO reaches a conversation by its trip; the member's trip stands in for the case.
    await registerTrip(server, `contract-${store.name}`, member.user.id, conversationId);
  });
  afterAll(async () => {
    await server?.close();
    await store.cleanup?.();
  });

  describe.each(PROFILES)('$name REST', (profile) => {
    const path = () => profile.send(conversationId);

    it('answers bad JSON with 400 invalid_json', async () => {
      const res = await raw(server, 'POST', path(), { token: member.token, body: '{"content":', contentType: 'application/json' });
      expect(res.status).toBe(400);
      profile.shaped(res.body, 'invalid_json');
    });

    it('answers a body the schema refuses with 422 validation_failed', async () => {
      const res = await raw(server, 'POST', path(), { token: member.token, body: bodyFor(profile, conversationId, profile.invalid), contentType: 'application/json' });
      expect(res.status).toBe(422);
      profile.shaped(res.body, 'validation_failed');
    });

    it(profile.strict ? 'refuses unknown fields with 422' : 'ignores unknown fields, as the original did', async () => {
      const res = await raw(server, 'POST', path(), { token: member.token, body: bodyFor(profile, conversationId, { ...profile.body, sender_id: 'someone-else' }), contentType: 'application/json' });
      if (profile.strict) {
        expect(res.status).toBe(422);
        profile.shaped(res.body, 'validation_failed');
      } else {
        expect(res.status).toBe(201);
      }
    });

    it('answers a body over BODY_LIMIT_BYTES with 413 payload_too_large', async () => {
      const res = await raw(server, 'POST', path(), { token: member.token, body: JSON.stringify({ content: 'x'.repeat(8000) }), contentType: 'application/json' });
      expect(res.status).toBe(413);
      profile.shaped(res.body, 'payload_too_large');
    });

    it('answers a content type it does not take with 415 unsupported_media_type', async () => {
      const res = await raw(server, 'POST', path(), { token: member.token, body: 'content=hello', contentType: 'application/x-www-form-urlencoded' });
      expect(res.status).toBe(415);
      profile.shaped(res.body, 'unsupported_media_type');
    });

    it('answers no token with 401 before looking at the body', async () => {
      for (const body of [JSON.stringify(profile.body), JSON.stringify(profile.invalid), '{"content":', 'x'.repeat(8000)]) {
        const res = await raw(server, 'POST', path(), { body, contentType: 'application/json' });
        expect(res.status, body.slice(0, 20)).toBe(401);
        profile.shaped(res.body, 'unauthenticated');
      }
    });

    it('answers a bad token with 401 invalid_token', async () => {
      const res = await raw(server, 'POST', path(), { token: 'not.a.jwt', body: bodyFor(profile, conversationId, profile.body), contentType: 'application/json' });
      expect(res.status).toBe(401);
      profile.shaped(res.body, 'invalid_token');
    });

    it('answers a conversation the caller may not read exactly as one that does not exist, in shape', async () => {
      const res = await raw(server, 'POST', path(), { token: stranger.token, body: bodyFor(profile, conversationId, profile.body), contentType: 'application/json' });
      const missing = await raw(server, 'POST', profile.send('no-such-conversation'), { token: stranger.token, body: bodyFor(profile, 'no-such-conversation', profile.body), contentType: 'application/json' });
      expect(res.status).toBe(404);
      profile.shaped(res.body, 'conversation_not_found');
      expect(res.body).toEqual(missing.body);
    });

    it('answers a conversation that does not exist with 404', async () => {
      const res = await raw(server, 'POST', profile.send('no-such-conversation'), { token: member.token, body: bodyFor(profile, 'no-such-conversation', profile.body), contentType: 'application/json' });
      expect(res.status).toBe(404);
      profile.shaped(res.body, 'conversation_not_found');
    });
  });

  it('answers rate limits with 429 and Retry-After on every profile', async () => {
    const limited = await startTestServer({ ...storeEnv, SEND_RATE_POINTS: '1' });
    try {
      const user = await limited.user(['customer']);
      const opened = await limited.request('POST', '/v1/support/cases', { token: user.token, body: { subject: 'Rate' } });
      const id = opened.body.case.conversation_id as string;
      await registerTrip(limited, `rate-${store.name}`, user.user.id, id);
      await limited.request('POST', `/v1/conversations/${id}/messages`, { token: user.token, body: { content: 'uses the only point' } });
      for (const profile of PROFILES) {
        const res = await raw(limited, 'POST', profile.send(id), { token: user.token, body: bodyFor(profile, id, profile.body), contentType: 'application/json' });
        expect(res.status, profile.name).toBe(429);
        expect(Number(res.headers.get('retry-after')), profile.name).toBeGreaterThan(0);
        profile.shaped(res.body, 'rate_limited');
      }
    } finally {
      await limited.close();
    }
  });

  it('answers on the real-time transports without an internal error', async () => {
    const ws = await TestWsClient.authenticated(server.url, member.token);
    const sio = await TestSioClient.connect(server.url, member.token);
    const trips = await TestSioClient.connect(server.url, member.token, { path: '/api/socket' });
    try {
      for (const [event, data, code] of [
        ['message:send', { conversationId }, 'validation_failed'],
        ['message:send', { conversationId: 'no-such-conversation', content: 'x' }, 'conversation_not_found'],
        ['join:conversation', { tripId: 'no-such-trip' }, 'conversation_not_found'],
      ] as const) {
        expect(await trips.request(event, data), event).toMatchObject({ success: false, error: expect.any(String), code });
      }
      ws.send('{"type":');
      expect(await ws.next((f) => f.type === 'error')).toEqual({ type: 'error', message: 'Invalid JSON format' });
      for (const [type, data, code] of [
        ['send_chat_message', { conversation_id: conversationId }, 'validation_failed'],
        ['send_chat_message', { conversation_id: 'no-such-conversation', content: 'x' }, 'conversation_not_found'],
        ['no_such_event', {}, 'bad_request'],
      ] as const) {
        const reply = await ws.request(type, data);
        expect(reply, type).toMatchObject({ success: false, code });
      }
      for (const [event, data, code] of [
        ['send_message', { session_id: caseId }, 'validation_failed'],
        ['send_message', { session_id: 'no-such-session', content: 'x' }, 'conversation_not_found'],
      ] as const) {
        expect(await sio.request(event, data), event).toMatchObject({ success: false, code });
      }
      const room = await TestWsClient.connect(server.url, member.token, { path: `/ws/chat/${conversationId}/` });
      try {
        room.send('{"type":');
        expect(await room.next((f) => f.type === 'error')).toEqual({ type: 'error', message: 'Invalid JSON format' });
        room.send({ type: 'chat_message', content: 42 });
        expect(await room.next((f) => f.type === 'error')).toMatchObject({ code: 'validation_failed' });
        room.send({ type: 'chat_message', content: '' });
        expect(await room.next((f) => f.type === 'error')).toMatchObject({ message: 'Message content cannot be empty', code: 'validation_failed' });
      } finally {
        room.close();
      }
      const missing = await TestWsClient.connect(server.url, member.token, { path: '/ws/chat/no-such-conversation/' });
      expect((await missing.waitClose()).code).toBe(4003);
    } finally {
      ws.close();
      sio.close();
      trips.close();
    }
  });

  it.skipIf(!store.cut)('answers a store outage with 503 store_unavailable in every shape, and recovers', async () => {
    const ws = await TestWsClient.authenticated(server.url, member.token);
    const sio = await TestSioClient.connect(server.url, member.token);
    const trips = await TestSioClient.connect(server.url, member.token, { path: '/api/socket' });
    // All fully registered (a connection whose setup meets the outage is closed, to retry).
    await eventually(async () => (await server.services.presence.connectionCount(member.user.id)) === 3, 'the connections to register');
    expect((await sio.request('join_session', { session_id: caseId })).success).toBe(true);
    await store.cut!(true);
    try {
      // The real-time transports have room for the registry's retry hint.
      expect(await ws.request('send_chat_message', { conversation_id: conversationId, content: 'during the outage' })).toMatchObject({ success: false, code: 'store_unavailable', retryable: true });
      expect(await sio.request('send_message', { session_id: caseId, content: 'during the outage' })).toMatchObject({ success: false, code: 'store_unavailable', retryable: true });
      expect(await trips.request('message:send', { conversationId, content: 'during the outage' })).toMatchObject({ success: false, code: 'store_unavailable', retryable: true });
      for (const profile of PROFILES) {
        const res = await raw(server, 'POST', profile.send(conversationId), { token: member.token, body: bodyFor(profile, conversationId, profile.body), contentType: 'application/json' });
        expect(res.status, profile.name).toBe(503);
        expect(res.headers.get('retry-after'), profile.name).toBe('1');
        profile.shaped(res.body, 'store_unavailable');
      }
      const v1 = await raw(server, 'GET', `/v1/conversations/${conversationId}`, { token: member.token });
      expect(v1.body).toMatchObject({ error: { code: 'store_unavailable', retryable: true } });
    } finally {
      await store.cut!(false);
      ws.close();
      sio.close();
      trips.close();
    }
    const again = await server.request('POST', `/v1/conversations/${conversationId}/messages`, { token: member.token, body: { content: 'back' } });
    expect(again.status).toBe(201);
  });

  it('keeps an API key caller to the v1 shape on a mistaken route', async () => {
    const res = await raw(server, 'GET', '/v1/nope', {});
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'route_not_found' } });
    const key = await fetch(`${server.url}/v1/users/nobody`, { headers: { 'x-api-key': TEST_API_KEY } });
    expect(key.status).toBe(404);
  });
});
