import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSioClient } from '../support/sio-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

/**
 * A conversation the caller may not read answers exactly like one that does not exist: the same
 * status, code and text, on every transport and profile, for every operation. Only a caller who
 * may read it (a monitor) learns that it exists.
 */

type Answer = { readonly status: number; readonly body: unknown };

const MISSING = 'no-such-conversation-0000';

describe('a conversation the caller may not read, on every transport', () => {
  let server: TestServer;
  type Who = { user: { id: string }; token: string };
  let stranger: Who;
  let member: Who;
  let ws: TestWsClient;
  let sio: TestSioClient;
  /** A conversation of two others, and a support case of another customer. */
  let privateId: string;
  let caseId: string;
  let messageId: string;

  const stripped = (id: string, value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null).split(id).join('<id>'));
  const rest = (method: string, path: (id: string) => string, body?: unknown) => async (id: string): Promise<Answer> => {
    const res = await server.request(method, path(id), { token: stranger.token, ...(body !== undefined && { body }) });
    return { status: res.status, body: stripped(id, res.body) };
  };
  const native = (type: string, data: (id: string) => Record<string, unknown>) => async (id: string): Promise<Answer> => {
    const { request_id: _, ...reply } = await ws.request(type, data(id));
    return { status: 0, body: stripped(id, reply) };
  };
  const nativeRoom = async (id: string): Promise<Answer> => {
    const requestId = `room-${Math.random()}`;
    ws.send({ type: 'join_room', room_id: `conversation:${id}`, request_id: requestId });
    const { request_id: _, ...reply } = await ws.next((f) => f.request_id === requestId);
    return { status: 0, body: stripped(id, reply) };
  };
  const socketio = (event: string, data: (id: string) => Record<string, unknown>) => async (id: string): Promise<Answer> => {
    const reply = await sio.request(event, data(id));
    const error = await sio.next('error', (e) => e.event === undefined || e.event === event);
    return { status: 0, body: stripped(id, { reply, error }) };
  };

  /** Every operation on a conversation, by transport and profile. */
  const OPERATIONS: Record<string, (id: string) => Promise<Answer>> = {
    'v1 GET /v1/conversations/:id': rest('GET', (id) => `/v1/conversations/${id}`),
    'v1 GET /v1/conversations/:id/messages': rest('GET', (id) => `/v1/conversations/${id}/messages`),
    'v1 GET /v1/conversations/:id/participants': rest('GET', (id) => `/v1/conversations/${id}/participants`),
    'v1 POST /v1/conversations/:id/messages': rest('POST', (id) => `/v1/conversations/${id}/messages`, { content: 'let me in' }),
    'v1 PATCH /v1/conversations/:id': rest('PATCH', (id) => `/v1/conversations/${id}`, { title: 'mine now' }),
    'v1 POST /v1/conversations/:id/participants': rest('POST', (id) => `/v1/conversations/${id}/participants`, { user_id: 'someone' }),
    'v1 DELETE /v1/conversations/:id/participants/:user': rest('DELETE', (id) => `/v1/conversations/${id}/participants/someone`),
    'v1 POST /v1/conversations/:id/read': rest('POST', (id) => `/v1/conversations/${id}/read`, {}),
    'v1 PATCH /v1/conversations/:id/messages/:message': rest('PATCH', (id) => `/v1/conversations/${id}/messages/${messageId}`, { content: 'edited' }),
    'v1 GET /v1/support/cases/:id': rest('GET', (id) => `/v1/support/cases/${id}`),
    'GuzoSync GET /api/conversations/:id/messages': rest('GET', (id) => `/api/conversations/${id}/messages`),
    'GuzoSync POST /api/conversations/:id/messages': rest('POST', (id) => `/api/conversations/${id}/messages`, { content: 'let me in' }),
    'GuzoSync POST /api/conversations/:id/close': rest('POST', (id) => `/api/conversations/${id}/close`),
    'support desk GET /api/v1/chat/sessions/:id': rest('GET', (id) => `/api/v1/chat/sessions/${id}`),
    'support desk GET /api/v1/chat/sessions/:id/messages': rest('GET', (id) => `/api/v1/chat/sessions/${id}/messages`),
    'support desk POST /api/v1/chat/sessions/:id/messages': rest('POST', (id) => `/api/v1/chat/sessions/${id}/messages`, { content: 'let me in' }),
    'support desk POST /api/v1/chat/sessions/:id/read': rest('POST', (id) => `/api/v1/chat/sessions/${id}/read`, {}),
    'support desk PATCH /api/v1/chat/sessions/:id/status': rest('PATCH', (id) => `/api/v1/chat/sessions/${id}/status`, { status: 'closed' }),
    'native send_chat_message': native('send_chat_message', (id) => ({ conversation_id: id, content: 'let me in' })),
    'native get_conversation_messages': native('get_conversation_messages', (id) => ({ conversation_id: id })),
    'native join_conversation': native('join_conversation', (id) => ({ conversation_id: id })),
    'native typing_indicator': native('typing_indicator', (id) => ({ conversation_id: id, is_typing: true })),
    'native mark_message_read': native('mark_message_read', (id) => ({ conversation_id: id })),
    'native join_room conversation:<id>': nativeRoom,
    'Socket.IO join_session': socketio('join_session', (id) => ({ session_id: id })),
    'Socket.IO leave_session': socketio('leave_session', (id) => ({ session_id: id })),
    'Socket.IO send_message': socketio('send_message', (id) => ({ session_id: id, content: 'let me in' })),
    'Socket.IO close_chat': socketio('close_chat', (id) => ({ session_id: id })),
  };

  beforeAll(async () => {
    server = await startTestServer({ SEND_RATE_POINTS: '1000' });
    const [a, b, customer] = [await server.user(['CONTROL_STAFF']), await server.user(['CONTROL_STAFF']), await server.user(['customer'])];
    member = b;
    stranger = await server.user(['customer']);
    privateId = (await server.request('POST', '/v1/conversations', { token: a.token, body: { participant_ids: [b.user.id] } })).body.conversation.id;
    messageId = (await server.request('POST', `/v1/conversations/${privateId}/messages`, { token: a.token, body: { content: 'between us' } })).body.message.id;
    caseId = (await server.request('POST', '/v1/support/cases', { token: customer.token, body: { subject: 'Card ending 4242', content: 'refund please' } })).body.case.conversation_id;
    ws = await TestWsClient.authenticated(server.url, stranger.token);
    sio = await TestSioClient.connect(server.url, stranger.token);
  });
  afterAll(async () => {
    ws.close();
    sio.close();
    await server.close();
  });

  it.each(Object.keys(OPERATIONS))('%s: a stranger\'s conversation and support case answer exactly as a missing one', async (name) => {
    const operation = OPERATIONS[name]!;
    const missing = await operation(MISSING);
    expect(await operation(privateId), 'a conversation of two others').toEqual(missing);
    expect(await operation(caseId), 'another customer\'s support case').toEqual(missing);
  });

  it('answers the by-context lookup of a pair that talks exactly as of a pair that does not', async () => {
    const [a, b, c] = [await server.user(['CONTROL_STAFF']), await server.user(['CONTROL_STAFF']), await server.user(['CONTROL_STAFF'])];
    expect((await server.request('POST', '/v1/conversations', { token: a.token, body: { type: 'direct', participant_ids: [b.user.id] } })).status).toBe(201);
    const pair = (x: string, y: string) => [x, y].sort().join(':');
    const talking = await server.request('GET', `/v1/conversations/by-context/direct/${pair(a.user.id, b.user.id)}`, { token: stranger.token });
    const silent = await server.request('GET', `/v1/conversations/by-context/direct/${pair(a.user.id, c.user.id)}`, { token: stranger.token });
    expect(talking.status).toBe(404);
    expect(talking.body).toEqual(silent.body);
    // The pair themselves find it.
    expect((await server.request('GET', `/v1/conversations/by-context/direct/${pair(a.user.id, b.user.id)}`, { token: b.token })).status).toBe(200);
  });

  it('tells a monitor, who may read it, that it may not write (403 not_participant), and a member that it may not manage (403 forbidden)', async () => {
    const monitor = await server.user(['operator']);
    const read = await server.request('GET', `/v1/conversations/${privateId}/messages`, { token: monitor.token });
    expect(read.status).toBe(200);
    const write = await server.request('POST', `/v1/conversations/${privateId}/messages`, { token: monitor.token, body: { content: 'hi' } });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('not_participant');
    const manage = await server.request('PATCH', `/v1/conversations/${privateId}`, { token: member.token, body: { title: 'renamed' } });
    expect(manage.status).toBe(403);
    expect(manage.body.error.code).toBe('forbidden');
  });
});
