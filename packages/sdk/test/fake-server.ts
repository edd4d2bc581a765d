import type { WebSocketLike } from '../src/connection.js';
import type { Message } from '../src/types.js';

type Frame = Record<string, any>;

/**
 * What the fake server does with one inbound frame, decided by a test: answer normally, never
 * answer, or commit a send and then drop the connection before the answer leaves.
 */
export type Interception = 'answer' | 'ignore' | 'commit-then-close';

/**
 * An in-process stand-in for the server, behind a WebSocket class the SDK is given. It speaks
 * the native protocol's frames the SDK uses (authentication, sends with client_id idempotency,
 * join, sync with has_more, receipts, typing, ping), with everything synchronous or on
 * microtasks, so tests drive time with fake timers and decide exactly when frames arrive.
 */
export class FakeServer {
  readonly sockets: FakeSocket[] = [];
  readonly conversations = new Map<string, Message[]>();
  /** Tokens refused with auth_error + 4001 (the message says why). */
  readonly refused = new Map<string, string>();
  /** When set, new sockets never open (the server is down). */
  down = false;
  /** Messages per sync page the fake answers with at most. */
  syncPageLimit = 500;
  intercept: (frame: Frame, socket: FakeSocket) => Interception = () => 'answer';
  /** Errors to answer the next sends with, in order (`{code, error, retryable?, retry_after?}`). */
  readonly sendRefusals: Frame[] = [];
  private connectionCounter = 0;
  private messageCounter = 0;

  readonly WebSocket = ((server: FakeServer) =>
    class extends FakeSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(server, url, protocols);
      }
    })(this);

  get live(): FakeSocket | undefined {
    return this.sockets.filter((s) => s.readyState === 1).at(-1);
  }

  /** Frames of one type the SDK sent, over all sockets. */
  sent(type: string): Frame[] {
    return this.sockets.flatMap((s) => s.sent.filter((f) => f.type === type));
  }

  messages(conversationId: string): Message[] {
    return this.conversations.get(conversationId) ?? [];
  }

  /** A message from someone else, committed; told live to sockets that joined the room. */
  commitFrom(senderId: string, conversationId: string, content: string, options: { live?: boolean } = {}): Message {
    const message = this.append(conversationId, senderId, content, null);
    if (options.live !== false) for (const s of this.sockets) if (s.readyState === 1 && s.rooms.has(conversationId)) s.push({ type: 'new_message', conversation_id: conversationId, message });
    return message;
  }

  /** Accepts the socket's authentication as it would (called when the socket "connects"). */
  opened(socket: FakeSocket): void {
    if (this.down) return socket.drop(1006, '');
    socket.accept();
    const reason = this.refused.get(socket.token ?? '');
    if (reason !== undefined) {
      socket.push({ type: 'auth_error', message: reason });
      return socket.drop(4001, reason);
    }
    socket.push({ type: 'authenticated', user_id: 'me', connection_id: `c${++this.connectionCounter}`, message: 'Authentication successful' });
  }

  handle(socket: FakeSocket, frame: Frame): void {
    const decision = this.intercept(frame, socket);
    if (decision === 'ignore') return;
    const reply = (body: Frame) => socket.push({ ...body, event: frame.type, request_id: frame.request_id });
    const data = frame.data ?? {};
    switch (frame.type) {
      case 'ping':
        return socket.push({ type: 'pong', timestamp: frame.timestamp, request_id: frame.request_id });
      case 'send_chat_message': {
        const refusal = this.sendRefusals.shift();
        if (refusal) return reply({ success: false, ...refusal });
        const list = this.messages(data.conversation_id);
        const existing = list.find((m) => m.client_id === data.client_id && data.client_id !== undefined);
        const message = existing ?? this.append(data.conversation_id, 'me', data.content, data.client_id ?? null);
        if (!existing) for (const s of this.sockets) if (s !== socket && s.readyState === 1 && s.rooms.has(data.conversation_id)) s.push({ type: 'new_message', conversation_id: data.conversation_id, message });
        if (decision === 'commit-then-close') return socket.drop(1006, '');
        return reply({ success: true, message_id: message.id, seq: message.seq, client_id: message.client_id, sent_message: message });
      }
      case 'join_conversation':
        socket.rooms.add(data.conversation_id);
        return reply({ success: true, conversation_id: data.conversation_id });
      case 'leave_conversation':
        socket.rooms.delete(data.conversation_id);
        return reply({ success: true });
      case 'get_conversation_messages': {
        const list = this.messages(data.conversation_id);
        return reply({ success: true, messages: list.slice(-(data.limit ?? 50)) });
      }
      case 'sync': {
        const limit = Math.min(data.limit ?? 100, this.syncPageLimit);
        const conversations = (data.conversations as { id: string; after_seq: number }[]).map(({ id, after_seq }) => {
          const after = this.messages(id).filter((m) => m.seq > after_seq);
          return { conversation_id: id, messages: after.slice(0, limit), has_more: after.length > limit, last_seq: this.messages(id).length, last_read_seq: 0 };
        });
        return reply({ success: true, conversations });
      }
      case 'mark_message_read':
        return reply({ success: true, conversation_id: data.conversation_id, last_read_seq: data.seq });
      case 'mark_delivered':
        return reply({ success: true, conversation_id: data.conversation_id, last_delivered_seq: data.seq });
      case 'typing_indicator':
        return reply({ success: true });
      default:
        return reply({ success: false, error: `Unknown message type: ${frame.type}`, code: 'bad_request' });
    }
  }

  private append(conversationId: string, senderId: string, content: string, clientId: string | null): Message {
    const list = this.conversations.get(conversationId) ?? [];
    this.conversations.set(conversationId, list);
    const message: Message = {
      id: `m${++this.messageCounter}`,
      conversation_id: conversationId,
      seq: list.length + 1,
      sender_id: senderId,
      kind: 'text',
      content,
      attachments: [],
      reply_to: null,
      metadata: {},
      client_id: clientId,
      edited_at: null,
      deleted_at: null,
      hidden: false,
      created_at: new Date().toISOString(),
    };
    list.push(message);
    return message;
  }
}

/** The client side of one fake connection; the server side is driven by `FakeServer`. */
export class FakeSocket implements WebSocketLike {
  readyState = 0;
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  readonly sent: Frame[] = [];
  readonly rooms = new Set<string>();
  readonly token: string | undefined;

  constructor(
    private readonly server: FakeServer,
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    this.token = Array.isArray(protocols) ? protocols[1] : undefined;
    server.sockets.push(this);
    queueMicrotask(() => this.server.opened(this));
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    const frame = JSON.parse(data) as Frame;
    this.sent.push(frame);
    queueMicrotask(() => this.readyState === 1 && this.server.handle(this, frame));
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code, reason }));
  }

  accept(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** A frame from the server; ignored once the socket is closed, as on a real socket. */
  push(frame: Frame): void {
    if (this.readyState !== 1) return;
    const text = JSON.stringify(frame);
    queueMicrotask(() => this.onmessage?.({ data: text }));
  }

  /** The server (or the network) ends the connection. */
  drop(code: number, reason: string): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code, reason }));
  }

  /** Delivers a frame even though the socket is gone: a late event of a replaced socket. */
  pushLate(frame: Frame): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}
