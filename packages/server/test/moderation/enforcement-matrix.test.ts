import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '@switchboard/protocol';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { TestSioClient } from '../support/sio-client.js';
import type { TestWsClient } from '../support/ws-client.js';
import { conversation, OpenClients, restHistory, restSend, type Frame, type TestUser } from '../ws/ws-fixtures.js';

/**
 * Every moderation rule on every send path: each path refuses alike, in its own error shape with
 * the registry's stable code, writes nothing when it refuses, and lets through what the rule lets
 * through (masked content, a shadowed message only its sender sees).
 */

/** What one send attempt came back with, as the transport said it. */
interface Attempt {
  readonly ok: boolean;
  /** The committed message's id and seq (when `ok`). */
  readonly messageId?: string;
  readonly seq?: number;
  /** The transport's own reply: HTTP status, headers and body, a frame, an acknowledgement. */
  readonly status?: number;
  readonly headers?: Headers;
  readonly body: Frame;
  /** Socket.IO: the `error` event the refusal also emitted. */
  readonly errorEvent?: Frame;
}

/** What a test has to send with: the server and a live connection per user, opened on demand. */
interface Scene {
  readonly server: TestServer;
  ws(who: TestUser): Promise<TestWsClient>;
  sio(who: TestUser): Promise<TestSioClient>;
  /** A Socket.IO client on StepperGO's path, `/api/socket`. */
  trips(who: TestUser): Promise<TestSioClient>;
  /** MoreVans' per-room socket `/ws/chat/{id}/` of one user, once the server follows the room for it. */
  morevansRoom(who: TestUser, conversationId: string): Promise<TestWsClient>;
}

interface Transport {
  readonly name: string;
  /**
   * `conversation`: any conversation the sender is in (group and direct);
   * `session`: a support-desk session the sender opened and an agent accepted;
   * `trip`: a trip's conversation the host app registered the sender, peer and staff in.
   */
  readonly room: 'conversation' | 'session' | 'trip';
  send(scene: Scene, who: TestUser, conversationId: string, content: string): Promise<Attempt>;
  /**
   * Asserts a refusal in this transport's own shape, carrying `code` as far as the shape can say
   * it; returns the retry hint in seconds when the shape carries one.
   */
  expectRefused(attempt: Attempt, code: ErrorCode): number | undefined;
}

const v1Rest: Transport = {
  name: 'v1 REST POST /v1/conversations/:id/messages',
  room: 'conversation',
  async send({ server }, who, id, content) {
    const res = await server.request('POST', `/v1/conversations/${id}/messages`, { token: who.token, body: { content } });
    const ok = res.status === 201;
    return { ok, status: res.status, headers: res.headers, body: res.body, ...(ok && { messageId: res.body.message.id, seq: res.body.message.seq }) };
  },
  expectRefused(attempt, code) {
    expect(attempt.status, JSON.stringify(attempt.body)).toBe(ERROR_CODES[code].status);
    expect(attempt.body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
    if (ERROR_CODES[code].retryable) expect(attempt.body.error.retryable).toBe(true);
    const retryAfter = attempt.body.error.details?.retry_after as number | undefined;
    if (retryAfter !== undefined) expect(attempt.headers!.get('retry-after')).toBe(String(retryAfter));
    return retryAfter;
  },
};

const nativeWs: Transport = {
  name: 'native WebSocket send_chat_message',
  room: 'conversation',
  async send(scene, who, id, content) {
    const reply = await (await scene.ws(who)).request('send_chat_message', { conversation_id: id, content });
    return { ok: reply.success === true, body: reply, ...(reply.success === true && { messageId: reply.message_id, seq: reply.seq }) };
  },
  expectRefused(attempt, code) {
    expect(attempt.body, JSON.stringify(attempt.body)).toMatchObject({ success: false, code, error: expect.any(String), event: 'send_chat_message', request_id: expect.any(String) });
    expect(attempt.body.error.length).toBeGreaterThan(0);
    if (ERROR_CODES[code].retryable) expect(attempt.body.retryable).toBe(true);
    return attempt.body.retry_after as number | undefined;
  },
};

const guzoSyncRest: Transport = {
  name: 'GuzoSync REST POST /api/conversations/:id/messages',
  room: 'conversation',
  async send({ server }, who, id, content) {
    const res = await server.request('POST', `/api/conversations/${id}/messages`, { token: who.token, body: { content } });
    const ok = res.status === 201;
    return { ok, status: res.status, headers: res.headers, body: res.body, ...(ok && { messageId: res.body.id, seq: res.body.seq }) };
  },
  expectRefused(attempt, code) {
    // FastAPI's `{"detail": "..."}` has no field for the code: the registry's status carries it,
    // and a retry hint can only be the `retry-after` header.
    expect(attempt.status, JSON.stringify(attempt.body)).toBe(ERROR_CODES[code].status);
    expect(attempt.body).toEqual({ detail: expect.any(String) });
    const header = attempt.headers!.get('retry-after');
    return header === null ? undefined : Number(header);
  },
};

/**
 * A Socket.IO send path: the event answers through its acknowledgement and an `error` event,
 * which must agree; `retryKey` is how the profile spells the retry hint.
 */
function socketIoTransport(spec: {
  name: string;
  room: Transport['room'];
  connect(scene: Scene, who: TestUser): Promise<TestSioClient>;
  event: string;
  data(conversationId: string, content: string): unknown;
  messageIdOf(ack: Frame): string;
  retryKey: 'retry_after' | 'retryAfter';
}): Transport {
  return {
    name: spec.name,
    room: spec.room,
    async send(scene, who, id, content) {
      const client = await spec.connect(scene, who);
      const ack = await client.request(spec.event, spec.data(id, content));
      if (ack.success === true) return { ok: true, body: ack, messageId: spec.messageIdOf(ack), seq: ack.seq };
      return { ok: false, body: ack, errorEvent: await client.next('error', (e) => e.event === spec.event) };
    },
    expectRefused(attempt, code) {
      expect(attempt.body, JSON.stringify(attempt.body)).toMatchObject({ success: false, code, error: expect.any(String) });
      expect(attempt.errorEvent).toMatchObject({ code, event: spec.event, message: attempt.body.error });
      if (ERROR_CODES[code].retryable) {
        expect(attempt.body.retryable).toBe(true);
        expect(attempt.errorEvent!.retryable).toBe(true);
      }
      const retryAfter = attempt.body[spec.retryKey] as number | undefined;
      if (retryAfter !== undefined) expect(attempt.errorEvent![spec.retryKey]).toBe(retryAfter);
      return retryAfter;
    },
  };
}

const deskSocketIo = socketIoTransport({
  name: 'support-desk Socket.IO send_message',
  room: 'session',
  connect: (scene, who) => scene.sio(who),
  event: 'send_message',
  data: (id, content) => ({ session_id: id, content }),
  messageIdOf: (ack) => ack.message_id,
  retryKey: 'retry_after',
});

const deskRest: Transport = {
  name: 'support-desk REST POST /api/v1/chat/sessions/:id/messages',
  room: 'session',
  async send({ server }, who, id, content) {
    const res = await server.request('POST', `/api/v1/chat/sessions/${id}/messages`, { token: who.token, body: { content } });
    const ok = res.status === 201;
    return { ok, status: res.status, headers: res.headers, body: res.body, ...(ok && { messageId: res.body.data.id, seq: res.body.data.seq }) };
  },
  expectRefused(attempt, code) {
    expect(attempt.status, JSON.stringify(attempt.body)).toBe(ERROR_CODES[code].status);
    expect(attempt.body).toMatchObject({ success: false, code, error: expect.any(String) });
    if (ERROR_CODES[code].retryable) expect(attempt.body.retryable).toBe(true);
    const retryAfter = attempt.body.retry_after as number | undefined;
    if (retryAfter !== undefined) expect(attempt.headers!.get('retry-after')).toBe(String(retryAfter));
    return retryAfter;
  },
};

const steppergoSocketIo = socketIoTransport({
  name: 'StepperGO Socket.IO message:send',
  room: 'conversation',
  connect: (scene, who) => scene.trips(who),
  event: 'message:send',
  data: (id, content) => ({ conversationId: id, content }),
  messageIdOf: (ack) => ack.messageId,
  retryKey: 'retryAfter',
});

const steppergoRest: Transport = {
  name: 'StepperGO REST POST /api/messages/send',
  room: 'trip',
  async send({ server }, who, id, content) {
    // StepperGO names the trip: the one whose conversation this is.
    const tripId = (await server.services.directory.conversations.byId(id))!.context!.id;
    const res = await server.request('POST', '/api/messages/send', { token: who.token, body: { tripId, content } });
    const ok = res.status === 201;
    return { ok, status: res.status, headers: res.headers, body: res.body, ...(ok && { messageId: res.body.message.id, seq: res.body.message.seq }) };
  },
  expectRefused(attempt, code) {
    expect(attempt.status, JSON.stringify(attempt.body)).toBe(ERROR_CODES[code].status);
    expect(attempt.body).toMatchObject({ code, error: expect.any(String) });
    if (ERROR_CODES[code].retryable) expect(attempt.body.retryable).toBe(true);
    const retryAfter = attempt.body.retryAfter as number | undefined;
    if (retryAfter !== undefined) expect(attempt.headers!.get('retry-after')).toBe(String(retryAfter));
    return retryAfter;
  },
};

const morevansRest: Transport = {
  name: 'MoreVans REST POST /api/v1/chat-messages/',
  room: 'conversation',
  async send({ server }, who, id, content) {
    const res = await server.request('POST', '/api/v1/chat-messages/', { token: who.token, body: { chat_room: id, content } });
    const ok = res.status === 201;
    return { ok, status: res.status, headers: res.headers, body: res.body, ...(ok && { messageId: res.body.id, seq: res.body.seq }) };
  },
  expectRefused(attempt, code) {
    expect(attempt.status, JSON.stringify(attempt.body)).toBe(ERROR_CODES[code].status);
    // The view's {"error"} or DRF's {"detail"} (throttling), each with the registry code beside it.
    expect(attempt.body).toMatchObject({ code });
    expect(typeof (attempt.body.error ?? attempt.body.detail)).toBe('string');
    if (ERROR_CODES[code].retryable) expect(attempt.body.retryable).toBe(true);
    const retryAfter = attempt.body.retry_after as number | undefined;
    if (retryAfter !== undefined) expect(attempt.headers!.get('retry-after')).toBe(String(retryAfter));
    return retryAfter;
  },
};

const morevansRoomSocket: Transport = {
  name: 'MoreVans per-room WebSocket chat_message',
  room: 'conversation',
  async send(scene, who, id, content) {
    const client = await scene.morevansRoom(who, id);
    client.send({ type: 'chat_message', content });
    // The room hears its own sender's message back; a refusal is an error frame to the sender.
    const frame = await client.next((f) => f.type === 'error' || (f.type === 'chat_message' && f.message.sender === who.user.id));
    if (frame.type === 'error') return { ok: false, body: frame };
    return { ok: true, body: frame, messageId: frame.message.id, seq: frame.message.seq };
  },
  expectRefused(attempt, code) {
    expect(attempt.body, JSON.stringify(attempt.body)).toMatchObject({ type: 'error', code, message: expect.any(String) });
    if (ERROR_CODES[code].retryable) expect(attempt.body.retryable).toBe(true);
    return attempt.body.retry_after as number | undefined;
  },
};

/** Every send path a client can reach. */
const TRANSPORTS: readonly Transport[] = [
  v1Rest,
  nativeWs,
  guzoSyncRest,
  deskRest,
  deskSocketIo,
  steppergoSocketIo,
  steppergoRest,
  morevansRest,
  morevansRoomSocket,
];

/** The people of one room: `sender` is moderated; `peer` reads (never a moderator); `staff` is exempt from slow mode. */
interface Room {
  readonly id: string;
  readonly sender: TestUser;
  readonly peer: TestUser;
  readonly staff: TestUser;
}

const BLOCKED_TERM = 'matrixforbidden';
const MASKED_TERM = 'darn';

describe.each(TRANSPORTS.map((t) => [t.name, t] as const))('moderation on %s', (_name, transport) => {
  let server: TestServer;
  const clients = new OpenClients(() => server);
  const wsBy = new Map<string, Promise<TestWsClient>>();
  const sioBy = new Map<string, Promise<TestSioClient>>();
  const tripsBy = new Map<string, Promise<TestSioClient>>();
  const roomsBy = new Map<string, Promise<TestWsClient>>();
  const sioOpen: TestSioClient[] = [];
  const scene: Scene = {
    get server() {
      return server;
    },
    ws(who) {
      let client = wsBy.get(who.user.id);
      if (!client) wsBy.set(who.user.id, (client = clients.as(who)));
      return client;
    },
    sio(who) {
      let client = sioBy.get(who.user.id);
      if (!client) sioBy.set(who.user.id, (client = connectSio(who.token)));
      return client;
    },
    trips(who) {
      let client = tripsBy.get(who.user.id);
      if (!client) tripsBy.set(who.user.id, (client = connectSio(who.token, '/api/socket')));
      return client;
    },
    morevansRoom(who, conversationId) {
      const key = `${who.user.id}\u0000${conversationId}`;
      let client = roomsBy.get(key);
      if (!client) roomsBy.set(key, (client = connectRoom(who.token, conversationId)));
      return client;
    },
  };
  const connectRoom = async (token: string, conversationId: string) => {
    const client = await clients.raw(token, { path: `/ws/chat/${conversationId}/` });
    // No welcome frame: a ping is answered once the socket follows the room.
    client.send({ type: 'ping', timestamp: 'ready' });
    await client.next((f) => f.type === 'pong' && f.timestamp === 'ready');
    return client;
  };
  const connectSio = async (token: string, path?: string) => {
    const client = await TestSioClient.connect(server.url, token, path === undefined ? {} : { path });
    sioOpen.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startTestServer();
    for (const [action, terms] of [['block', [BLOCKED_TERM]], ['mask', [MASKED_TERM]]] as const) {
      const res = await server.request('PUT', '/v1/moderation/blocklist', { apiKey: TEST_API_KEY, body: { terms, action } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
  });
  afterEach(() => {
    clients.closeAll();
    for (const c of sioOpen.splice(0)) c.close();
    wsBy.clear();
    sioBy.clear();
    tripsBy.clear();
    roomsBy.clear();
  });
  afterAll(() => server.close());

  const moderate = async (method: string, path: string, body?: unknown) => {
    const res = await server.request(method, path, { apiKey: TEST_API_KEY, ...(body !== undefined && { body }) });
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  };
  const ban = async (who: TestUser, extra: Record<string, unknown> = {}) => (await moderate('POST', '/v1/moderation/bans', { user_id: who.user.id, reason: 'matrix', ...extra })).restriction.id as string;

  /** A room this transport can send to; `sender` again for a second room of the same person. */
  async function room(sender?: TestUser): Promise<Room> {
    const who = sender ?? (await server.user(['customer']));
    if (transport.room === 'conversation') {
      const peer = await server.user(['customer']);
      const staff = await server.user(['support']);
      return { id: await conversation(server, who, [peer, staff]), sender: who, peer, staff };
    }
    if (transport.room === 'trip') {
      const peer = await server.user(['customer']);
      const staff = await server.user(['support']);
      const trip = `matrix-trip-${Math.random().toString(36).slice(2, 10)}`;
      const people = [who, peer, staff].map((p) => ({ user_id: p.user.id }));
      const registered = await server.request('PUT', `/v1/conversations/by-context/trip/${trip}`, { apiKey: TEST_API_KEY, body: { participants: people } });
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      return { id: registered.body.conversation.id as string, sender: who, peer, staff };
    }
    const opened = await server.request('POST', '/v1/support/cases', { token: who.token, body: { subject: 'Where is my order?' } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const id = opened.body.case.conversation_id as string;
    const agent = await server.user(['support']);
    const accepted = await server.request('POST', `/v1/support/cases/${id}/accept`, { token: agent.token });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    return { id, sender: who, peer: agent, staff: agent };
  }

  const history = (r: Room, reader: TestUser = r.peer) => restHistory(server, reader, r.id);
  const ids = (messages: readonly Frame[]) => messages.map((m) => `${m.seq}:${m.id}`);

  async function expectSent(attempt: Attempt): Promise<{ id: string; seq: number }> {
    expect(attempt.ok, JSON.stringify(attempt.body)).toBe(true);
    expect(attempt.messageId).toEqual(expect.any(String));
    expect(attempt.seq).toEqual(expect.any(Number));
    return { id: attempt.messageId!, seq: attempt.seq! };
  }

  /** Sends, expects the refusal with `code`, and that the history did not change. */
  async function expectRefusedAndNothingWritten(r: Room, content: string, code: ErrorCode): Promise<number | undefined> {
    const before = await history(r);
    const attempt = await transport.send(scene, r.sender, r.id, content);
    expect(attempt.ok, JSON.stringify(attempt.body)).toBe(false);
    const retryAfter = transport.expectRefused(attempt, code);
    expect(ids(await history(r))).toEqual(ids(before));
    expect((await history(r)).some((m) => m.content === content)).toBe(false);
    return retryAfter;
  }

  it('refuses a sender banned everywhere with banned in every conversation, and lets them send again once the ban is lifted', async () => {
    const first = await room();
    const second = await room(first.sender);
    const banId = await ban(first.sender);
    await expectRefusedAndNothingWritten(first, 'banned everywhere, first room', 'banned');
    await expectRefusedAndNothingWritten(second, 'banned everywhere, second room', 'banned');

    const lastSeq = (await history(first)).at(-1)?.seq ?? 0;
    await moderate('DELETE', `/v1/moderation/bans/${banId}`);
    const sent = await expectSent(await transport.send(scene, first.sender, first.id, 'back after the ban'));
    // The refused sends took no seq.
    expect(sent.seq).toBe(lastSeq + 1);
    expect((await history(first)).at(-1)).toMatchObject({ id: sent.id, content: 'back after the ban', sender_id: first.sender.user.id, hidden: false });
    await expectSent(await transport.send(scene, second.sender, second.id, 'back in the second room too'));
  });

  it('refuses a sender banned from one conversation with banned there only', async () => {
    const banned = await room();
    const other = await room(banned.sender);
    await ban(banned.sender, { conversation_id: banned.id });
    await expectRefusedAndNothingWritten(banned, 'banned here', 'banned');
    const sent = await expectSent(await transport.send(scene, other.sender, other.id, 'fine elsewhere'));
    expect((await history(other)).at(-1)).toMatchObject({ id: sent.id, content: 'fine elsewhere' });
    // Others in the conversation the ban names still speak.
    await expectSent(await transport.send(scene, banned.staff, banned.id, 'staff still speaks'));
  });

  it('refuses a muted participant with muted in that conversation only', async () => {
    const muted = await room();
    const other = await room(muted.sender);
    await moderate('POST', '/v1/moderation/mutes', { user_id: muted.sender.user.id, conversation_id: muted.id, reason: 'matrix' });
    await expectRefusedAndNothingWritten(muted, 'muted here', 'muted');
    await expectSent(await transport.send(scene, other.sender, other.id, 'not muted elsewhere'));
  });

  it('refuses the second message within the slow-mode window with slow_mode and writes it nowhere', async () => {
    const r = await room();
    await moderate('PUT', `/v1/conversations/${r.id}/slow-mode`, { seconds: 60 });
    const first = await expectSent(await transport.send(scene, r.sender, r.id, 'first within the window'));
    await expectRefusedAndNothingWritten(r, 'second within the window', 'slow_mode');
    // A refusal costs no cooldown of its own and the window holds: refused again, at once.
    await expectRefusedAndNothingWritten(r, 'third within the window', 'slow_mode');
    expect((await history(r)).filter((m) => m.sender_id === r.sender.user.id).map((m) => m.id)).toEqual([first.id]);
  });

  it('says when to retry a slow-mode refusal (retry_after between 1 and the window)', async () => {
    const r = await room();
    await moderate('PUT', `/v1/conversations/${r.id}/slow-mode`, { seconds: 60 });
    await expectSent(await transport.send(scene, r.sender, r.id, 'first within the window'));
    const retryAfter = await expectRefusedAndNothingWritten(r, 'second within the window', 'slow_mode');
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('does not slow a staff sender', async () => {
    const r = await room();
    await moderate('PUT', `/v1/conversations/${r.id}/slow-mode`, { seconds: 60 });
    const one = await expectSent(await transport.send(scene, r.staff, r.id, 'staff one'));
    const two = await expectSent(await transport.send(scene, r.staff, r.id, 'staff two'));
    const three = await expectSent(await transport.send(scene, r.staff, r.id, 'staff three'));
    expect([two.seq - one.seq, three.seq - two.seq]).toEqual([1, 1]);
  });

  it('refuses a blocklisted term (action block) with blocked_content, whatever its case', async () => {
    const r = await room();
    await expectRefusedAndNothingWritten(r, `this is ${BLOCKED_TERM} talk`, 'blocked_content');
    await expectRefusedAndNothingWritten(r, `${BLOCKED_TERM.toUpperCase()}!`, 'blocked_content');
    // Inside a longer word the term does not fire.
    await expectSent(await transport.send(scene, r.sender, r.id, `un${BLOCKED_TERM}able`));
  });

  it('stores a masked term (action mask) starred out, as every reader sees it in history', async () => {
    const r = await room();
    const sent = await expectSent(await transport.send(scene, r.sender, r.id, `well ${MASKED_TERM} it, Darn!`));
    for (const reader of [r.peer, r.sender]) {
      expect((await history(r, reader)).find((m) => m.id === sent.id)).toMatchObject({ seq: sent.seq, content: 'well **** it, ****!', hidden: false });
    }
  });

  it('lets a shadow-banned sender send, shows the others a tombstone, and tells only the sender live', async () => {
    const r = await room();
    const peerLive = await clients.as(r.peer);
    expect((await peerLive.request('join_conversation', { conversation_id: r.id })).success).toBe(true);
    const senderLive = await clients.as(r.sender);
    expect((await senderLive.request('join_conversation', { conversation_id: r.id })).success).toBe(true);
    let peerDesk: TestSioClient | undefined;
    if (transport.room === 'session') {
      peerDesk = await connectSio(r.peer.token);
      peerDesk.emit('join_session', { session_id: r.id });
      await peerDesk.next('session_joined');
    }
    await ban(r.sender, { shadow: true });

    const content = 'only I will see this';
    const shadowed = await expectSent(await transport.send(scene, r.sender, r.id, content));
    // The sender's own other connection hears of it, whole.
    expect((await senderLive.next((f) => f.type === 'new_message' && f.message.id === shadowed.id)).message).toMatchObject({ content, hidden: false, seq: shadowed.seq });

    // Events of one conversation arrive in order: once a later message is in, the shadowed one
    // would have been too.
    const later = await restSend(server, r.staff, r.id, 'a later message');
    await peerLive.next((f) => f.type === 'new_message' && f.message.id === later.id);
    const told = (f: Frame) => (f.type === 'new_message' && (f.message.id === shadowed.id || f.message.content === content)) || (f.type === 'message_notification' && f.seq === shadowed.seq);
    expect(peerLive.frames.filter(told)).toEqual([]);
    if (peerDesk) {
      await peerDesk.next('new_message', (d) => d.message.id === later.id);
      expect(peerDesk.events.filter((e) => e.event === 'new_message' && e.data.message.id === shadowed.id)).toEqual([]);
    }

    expect((await history(r, r.peer)).find((m) => m.seq === shadowed.seq)).toMatchObject({ id: shadowed.id, hidden: true, content: '', attachments: [], metadata: {} });
    expect((await history(r, r.sender)).find((m) => m.seq === shadowed.seq)).toMatchObject({ id: shadowed.id, hidden: false, content });
    const asModerator = await server.request('GET', `/v1/conversations/${r.id}/messages?limit=100`, { apiKey: TEST_API_KEY });
    expect(asModerator.status).toBe(200);
    expect(asModerator.body.messages.find((m: Frame) => m.seq === shadowed.seq)).toMatchObject({ id: shadowed.id, content });
  });

  if (transport.room === 'conversation') {
    it('refuses a sender whom the other person of a direct conversation blocked with user_blocked, there only', async () => {
      const group = await room();
      const { sender, peer } = group;
      const direct: Room = { ...group, id: await conversation(server, sender, [peer], { type: 'direct' }) };
      await expectSent(await transport.send(scene, sender, direct.id, 'hello before the block'));
      const blocked = await server.request('POST', `/v1/me/blocks/${sender.user.id}`, { token: peer.token });
      expect(blocked.status, JSON.stringify(blocked.body)).toBe(201);

      await expectRefusedAndNothingWritten(direct, 'hello after the block', 'user_blocked');
      // The blocker may still write to them, and a group they share is not a direct conversation.
      await expectSent(await transport.send(scene, peer, direct.id, 'I can still write to you'));
      await expectSent(await transport.send(scene, sender, group.id, 'the group still hears me'));

      expect((await server.request('DELETE', `/v1/me/blocks/${sender.user.id}`, { token: peer.token })).status).toBe(204);
      await expectSent(await transport.send(scene, sender, direct.id, 'hello after the unblock'));
    });
  } else {
    it('does not apply a user block to a support session (not a direct conversation)', async () => {
      const r = await room();
      const blocked = await server.request('POST', `/v1/me/blocks/${r.sender.user.id}`, { token: r.peer.token });
      expect(blocked.status, JSON.stringify(blocked.body)).toBe(201);
      const sent = await expectSent(await transport.send(scene, r.sender, r.id, 'the agent blocked me, yet this is a session'));
      expect((await history(r)).find((m) => m.id === sent.id)).toMatchObject({ content: 'the agent blocked me, yet this is a session' });
    });
  }
});

/**
 * The first message of a support case is written with the case, not by `MessageService.send`:
 * each path that opens a case with a message is a send path of its own.
 */
interface OpeningPath {
  readonly name: string;
  /** The requester's role (GuzoSync's paths add every control-centre staff member at once). */
  readonly requesterRole: string;
  readonly staffRole: string;
  /** Opens a case with `content` as its first message; `conversationId` when it was opened. */
  open(server: TestServer, clients: OpenClients, who: TestUser, content: string): Promise<{ conversationId?: string; attempt: Attempt }>;
  readonly expectRefused: Transport['expectRefused'];
  /** True when the path adds the staff itself; otherwise an agent accepts the case. */
  readonly addsStaff: boolean;
}

const OPENING_PATHS: readonly OpeningPath[] = [
  {
    name: 'v1 REST POST /v1/support/cases',
    requesterRole: 'customer',
    staffRole: 'support',
    addsStaff: false,
    async open(server, _clients, who, content) {
      const res = await server.request('POST', '/v1/support/cases', { token: who.token, body: { subject: 'Opening', content } });
      const ok = res.status === 201;
      return { ...(ok && { conversationId: res.body.case.conversation_id }), attempt: { ok, status: res.status, headers: res.headers, body: res.body } };
    },
    expectRefused: v1Rest.expectRefused,
  },
  {
    name: 'support-desk REST POST /api/v1/chat/sessions',
    requesterRole: 'customer',
    staffRole: 'support',
    addsStaff: false,
    async open(server, _clients, who, content) {
      const res = await server.request('POST', '/api/v1/chat/sessions', { token: who.token, body: { subject: 'Opening', initial_message: content } });
      const ok = res.status === 201;
      return { ...(ok && { conversationId: res.body.data.id }), attempt: { ok, status: res.status, headers: res.headers, body: res.body } };
    },
    expectRefused: deskRest.expectRefused,
  },
  {
    name: 'GuzoSync REST POST /api/conversations/create-support',
    requesterRole: 'BUS_DRIVER',
    staffRole: 'CONTROL_STAFF',
    addsStaff: true,
    async open(server, _clients, who, content) {
      const res = await server.request('POST', '/api/conversations/create-support', { token: who.token, body: { title: 'Opening', content } });
      const ok = res.status === 201;
      return { ...(ok && { conversationId: res.body.conversation_id }), attempt: { ok, status: res.status, headers: res.headers, body: res.body } };
    },
    expectRefused: guzoSyncRest.expectRefused,
  },
  {
    name: 'native WebSocket create_support_conversation',
    requesterRole: 'BUS_DRIVER',
    staffRole: 'CONTROL_STAFF',
    addsStaff: true,
    async open(_server, clients, who, content) {
      const reply = await (await clients.as(who)).request('create_support_conversation', { title: 'Opening', content });
      return { ...(reply.success === true && { conversationId: reply.conversation_id }), attempt: { ok: reply.success === true, body: reply } };
    },
    expectRefused(attempt, code) {
      expect(attempt.body, JSON.stringify(attempt.body)).toMatchObject({ success: false, code, error: expect.any(String), event: 'create_support_conversation' });
      return attempt.body.retry_after as number | undefined;
    },
  },
];

describe.each(OPENING_PATHS.map((p) => [p.name, p] as const))('moderation of the opening message on %s', (_name, path) => {
  let server: TestServer;
  let staff: TestUser;
  const clients = new OpenClients(() => server);
  beforeAll(async () => {
    server = await startTestServer();
    staff = await server.user([path.staffRole]);
    for (const [action, terms] of [['block', [BLOCKED_TERM]], ['mask', [MASKED_TERM]]] as const) {
      expect((await server.request('PUT', '/v1/moderation/blocklist', { apiKey: TEST_API_KEY, body: { terms, action } })).status).toBe(200);
    }
  });
  afterEach(() => clients.closeAll());
  afterAll(() => server.close());

  const requester = () => server.user([path.requesterRole]);
  const banned = async (shadow: boolean) => {
    const who = await requester();
    const res = await server.request('POST', '/v1/moderation/bans', { apiKey: TEST_API_KEY, body: { user_id: who.user.id, reason: 'matrix', shadow } });
    expect(res.status).toBe(201);
    return who;
  };
  /** The case's messages as its staff member reads them (after accepting it, where the path does not add staff). */
  async function staffHistory(conversationId: string): Promise<Frame[]> {
    if (!path.addsStaff) expect((await server.request('POST', `/v1/support/cases/${conversationId}/accept`, { token: staff.token })).status).toBe(200);
    return restHistory(server, staff, conversationId);
  }
  async function expectRefusedAndNothingOpened(who: TestUser, content: string, code: ErrorCode): Promise<void> {
    const { conversationId, attempt } = await path.open(server, clients, who, content);
    expect(conversationId).toBeUndefined();
    path.expectRefused(attempt, code);
    expect((await server.request('GET', '/v1/conversations', { token: who.token })).body.conversations).toEqual([]);
    expect((await server.request('GET', '/v1/support/cases', { token: who.token })).body.cases).toEqual([]);
  }

  it('refuses a requester banned everywhere with banned and opens nothing', async () => {
    await expectRefusedAndNothingOpened(await banned(false), 'let me in', 'banned');
  });

  it('refuses a blocklisted term (action block) with blocked_content and opens nothing', async () => {
    await expectRefusedAndNothingOpened(await requester(), `this is ${BLOCKED_TERM} talk`, 'blocked_content');
  });

  it('stores a masked term (action mask) starred out', async () => {
    const who = await requester();
    const { conversationId, attempt } = await path.open(server, clients, who, `well ${MASKED_TERM} it`);
    expect(attempt.ok, JSON.stringify(attempt.body)).toBe(true);
    expect((await staffHistory(conversationId!)).find((m) => m.seq === 1)).toMatchObject({ sender_id: who.user.id, content: 'well **** it' });
  });

  it('lets a shadow-banned requester open the case, their message whole to them', async () => {
    const who = await banned(true);
    const { conversationId, attempt } = await path.open(server, clients, who, 'my shadowed opening');
    expect(attempt.ok, JSON.stringify(attempt.body)).toBe(true);
    expect((await restHistory(server, who, conversationId!)).find((m) => m.seq === 1)).toMatchObject({ content: 'my shadowed opening', hidden: false });
  });

  it('shows the staff a shadow-banned requester’s opening message as a tombstone', async () => {
    const who = await banned(true);
    const { conversationId } = await path.open(server, clients, who, 'my shadowed opening');
    expect((await staffHistory(conversationId!)).find((m) => m.seq === 1)).toMatchObject({ sender_id: who.user.id, hidden: true, content: '' });
  });
});

describe('starting a direct conversation with someone who blocked you', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('is refused with user_blocked and creates nothing; the blocker may still start it', async () => {
    const blocker = await server.user(['customer']);
    const blocked = await server.user(['customer']);
    expect((await server.request('POST', `/v1/me/blocks/${blocked.user.id}`, { token: blocker.token })).status).toBe(201);
    const refused = await server.request('POST', '/v1/conversations', { token: blocked.token, body: { type: 'direct', participant_ids: [blocker.user.id] } });
    expect(refused.status, JSON.stringify(refused.body)).toBe(403);
    expect(refused.body.error.code).toBe('user_blocked');
    expect((await server.request('GET', '/v1/conversations', { token: blocked.token })).body.conversations).toEqual([]);
    // A group is not a direct conversation: the block does not reach it.
    expect((await server.request('POST', '/v1/conversations', { token: blocked.token, body: { participant_ids: [blocker.user.id] } })).status).toBe(201);
    const started = await server.request('POST', '/v1/conversations', { token: blocker.token, body: { type: 'direct', participant_ids: [blocked.user.id] } });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
  });
});
