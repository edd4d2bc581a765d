import { backoffDelay, type BackoffOptions } from './backoff.js';
import { Connection, type EnvironmentEvents, type Session, type TokenSource, type WebSocketConstructor } from './connection.js';
import { Conversation, type ConversationOptions, type ConversationTuning } from './conversation.js';
import { Emitter } from './emitter.js';
import { membershipOf, presenceOf } from './frame-events.js';
import { SwitchboardError } from './errors.js';
import { Outbox } from './outbox.js';
import { memoryOutbox, type OutboxStorage } from './outbox-storage.js';
import type { ClientEvents, ConnectionState, Message, PendingSend, ServerFrame } from './types.js';

export interface ClientOptions {
  /** The server's base URL, e.g. `https://chat.example.com`. */
  readonly url: string;
  /** A token (JWT or session token), or a function asked before every connection attempt. */
  readonly token: TokenSource;
  /** Where unacknowledged sends are kept (default: memory). */
  readonly outbox?: OutboxStorage;
  /** A WebSocket implementation (default: the global one; in Node 20 pass `ws`, or use `@switchboard/sdk/node`). */
  readonly WebSocket?: WebSocketConstructor;
  /** The native WebSocket path (default `/v1/ws`). */
  readonly path?: string;
  readonly backoff?: BackoffOptions;
  readonly pingIntervalMs?: number;
  readonly pingTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** Messages a conversation starts with when the app gives no `since` (default 30, at most 100). */
  readonly initialPage?: number;
  /** Messages per sync request while catching up (default 200, at most 500). */
  readonly syncPage?: number;
  /** Typing starts go out at most this often (default 3 s). */
  readonly typingThrottleMs?: number;
  /** Typing stops after this long without `typing()` (default 5 s). */
  readonly typingIdleMs?: number;
  /** Read and delivered pointers go out at most this often per conversation (default 1 s). */
  readonly receiptIntervalMs?: number;
  /** Where `online`/`visibilitychange` are heard (default: the browser's window and document). */
  readonly environment?: EnvironmentEvents | null;
  /** Random source for jitter (tests). */
  readonly random?: () => number;
}

/** A conversation the user takes part in, as `get_active_conversations` lists it. */
export interface ConversationListing {
  readonly id: string;
  readonly title: string | null;
  readonly type: string;
  readonly status: string;
  readonly last_seq: number;
  readonly last_message_at: string | null;
  readonly unread_count?: number;
  readonly participants: readonly { readonly id: string; readonly display_name: string; readonly role: string | null }[];
  readonly last_message: { readonly id: string; readonly content: string; readonly sender_id: string | null; readonly sent_at: string; readonly seq: number } | null;
}

/** Errors that mean "no answer, the link went": the send goes out again on the next connection. */
const UNANSWERED = new Set(['offline', 'timeout', 'client_closed']);

/**
 * The Switchboard client: one connection that comes back by itself, the conversations the app
 * follows, and the outbox of sends. See packages/sdk/README.md.
 */
export class Client extends Emitter<ClientEvents> {
  private readonly connection: Connection;
  private readonly outbox: Outbox;
  private readonly followed = new Map<string, Conversation>();
  private readonly pumpTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly tuning: ConversationTuning;
  private participantsOf = new Map<string, Set<string>>();

  constructor(private readonly options: ClientOptions) {
    super();
    const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WebSocketImpl) throw new SwitchboardError('bad_request', 'No WebSocket implementation: pass `WebSocket` (the `ws` package in Node 20) or import from @switchboard/sdk/node');
    this.tuning = {
      initialPage: Math.min(options.initialPage ?? 30, 100),
      syncPage: Math.min(options.syncPage ?? 200, 500),
      typingThrottleMs: options.typingThrottleMs ?? 3000,
      typingIdleMs: options.typingIdleMs ?? 5000,
      receiptIntervalMs: options.receiptIntervalMs ?? 1000,
    };
    const environment = options.environment === undefined ? browserEnvironment() : (options.environment ?? undefined);
    this.connection = new Connection({
      url: options.url,
      token: options.token,
      WebSocket: WebSocketImpl,
      ...(options.path !== undefined && { path: options.path }),
      ...(options.backoff !== undefined && { backoff: options.backoff }),
      ...(options.pingIntervalMs !== undefined && { pingIntervalMs: options.pingIntervalMs }),
      ...(options.pingTimeoutMs !== undefined && { pingTimeoutMs: options.pingTimeoutMs }),
      ...(options.requestTimeoutMs !== undefined && { requestTimeoutMs: options.requestTimeoutMs }),
      ...(options.connectTimeoutMs !== undefined && { connectTimeoutMs: options.connectTimeoutMs }),
      ...(options.random !== undefined && { random: options.random }),
      ...(environment !== undefined && { environment }),
    });
    this.outbox = new Outbox(options.outbox ?? memoryOutbox(), (conversationId) => {
      this.followed.get(conversationId)?.pendingChanged();
      this.pump(conversationId);
    });
    this.connection.on('state', (change) => {
      if (change.state === 'closed') this.outbox.abandon(this.connection.error ?? new SwitchboardError('client_closed', 'The client was closed'));
      this.emit('state', change);
    });
    this.connection.on('open', () => this.opened());
    this.connection.on('frame', (frame) => this.route(frame));
  }

  get state(): ConnectionState {
    return this.connection.state;
  }

  /** The signed-in user while connected. */
  get userId(): string | undefined {
    return this.connection.session?.userId;
  }

  /** Why the client closed for good (a revoked token), if it did. */
  get error(): SwitchboardError | undefined {
    return this.connection.error;
  }

  /**
   * Connects, and keeps reconnecting until `close()`. Resolves once authenticated; rejects if
   * the client closes first (a refused token: `error.code === 'invalid_token'`).
   */
  connect(): Promise<Session> {
    const session = this.connection.session;
    if (session) return Promise.resolve(session);
    if (this.connection.state === 'closed') return Promise.reject(this.connection.error ?? new SwitchboardError('client_closed', 'The client was closed'));
    const result = new Promise<Session>((resolve, reject) => {
      const offOpen = this.connection.on('open', (s) => {
        offOpen();
        offState();
        resolve(s);
      });
      const offState = this.connection.on('state', (change) => {
        if (change.state !== 'closed') return;
        offOpen();
        offState();
        reject(this.connection.error ?? new SwitchboardError('client_closed', 'The client was closed'));
      });
    });
    void this.outbox.loaded().then(() => this.connection.start());
    return result;
  }

  /** Closes for good. Sends not acknowledged stay in the outbox storage for the next client. */
  close(): void {
    for (const timer of this.pumpTimers.values()) clearTimeout(timer);
    this.pumpTimers.clear();
    for (const conversation of [...this.followed.values()]) conversation.leave();
    this.connection.stop();
  }

  /** Follows a conversation (the same handle for the same id). */
  conversation(id: string, options: ConversationOptions = {}): Conversation {
    let conversation = this.followed.get(id);
    if (conversation) return conversation;
    conversation = new Conversation(id, { connection: this.connection, outbox: this.outbox, tuning: this.tuning, pump: (cid) => this.pump(cid), forget: (cid) => this.followed.delete(cid) }, options);
    this.followed.set(id, conversation);
    if (this.connection.state === 'connected') void conversation.resume();
    return conversation;
  }

  /** The user's active conversations, newest activity first (at most 50). */
  async conversations(): Promise<ConversationListing[]> {
    const reply = await this.connection.request('get_active_conversations', {});
    const listing = (reply.conversations ?? []) as ConversationListing[];
    for (const c of listing) this.participantsOf.set(c.id, new Set(c.participants.map((p) => p.id)));
    return listing;
  }

  /** Every send not acknowledged yet, in all conversations, oldest first. */
  pending(): PendingSend[] {
    return this.outbox.list();
  }

  /** Any native frame with a reply (see docs/websocket-protocol.md); rejects with its error. */
  request(type: string, data: object = {}): Promise<Record<string, unknown>> {
    return this.connection.request(type, data);
  }

  private opened(): void {
    for (const conversation of this.followed.values()) void conversation.resume();
    for (const conversationId of this.outbox.conversationsWithWork()) this.pump(conversationId);
    if ([...this.followed.values()].some((c) => c.listenerCount('presence') > 0)) void this.conversations().catch(() => {});
  }

  /**
   * Sends the conversation's next outbox entry, if it may go now, and the next after its
   * answer. One at a time per conversation keeps the seq order the order of `send()` calls.
   */
  private pump(conversationId: string): void {
    if (this.connection.state !== 'connected') return;
    const record = this.outbox.next(conversationId);
    if (!record) {
      this.wakeAt(conversationId, this.outbox.resumeAt(conversationId));
      return;
    }
    this.outbox.sending(record.clientId);
    const { draft } = record;
    this.connection
      .request('send_chat_message', {
        conversation_id: conversationId,
        content: draft.content,
        client_id: record.clientId,
        ...(draft.kind !== undefined && { message_type: draft.kind }),
        ...(draft.metadata !== undefined && { metadata: draft.metadata }),
        ...(draft.replyTo != null && { reply_to: draft.replyTo }),
        ...(draft.attachments !== undefined && draft.attachments.length > 0 && { attachments: [...draft.attachments] }),
      })
      .then(
        async (reply) => {
          const message = reply.sent_message as Message;
          this.followed.get(conversationId)?.acknowledged(message);
          await this.outbox.acknowledged(record.clientId, message);
        },
        async (error: unknown) => {
          const refusal = error instanceof SwitchboardError ? error : new SwitchboardError('internal', String(error), { retryable: true });
          if (UNANSWERED.has(refusal.code)) return this.outbox.unanswered(record.clientId);
          if (refusal.retryable) {
            const waitMs = refusal.retryAfterSeconds !== undefined ? refusal.retryAfterSeconds * 1000 : backoffDelay(record.attempts, this.options.backoff, this.options.random);
            return this.outbox.postpone(record.clientId, Date.now() + waitMs);
          }
          await this.outbox.failed(record.clientId, refusal);
        },
      )
      .finally(() => this.pump(conversationId));
  }

  private wakeAt(conversationId: string, at: number | undefined): void {
    if (at === undefined || at <= Date.now() || this.pumpTimers.has(conversationId)) return;
    this.pumpTimers.set(
      conversationId,
      setTimeout(() => {
        this.pumpTimers.delete(conversationId);
        this.pump(conversationId);
      }, at - Date.now()),
    );
  }

  private route(frame: ServerFrame): void {
    this.emit('frame', frame);
    const conversationId = typeof frame.conversation_id === 'string' ? frame.conversation_id : undefined;
    switch (frame.type) {
      case 'presence': {
        const event = presenceOf(frame);
        this.emit('presence', event);
        for (const [id, conversation] of this.followed) if (this.participantsOf.get(id)?.has(event.userId)) conversation.handle(frame);
        return;
      }
      case 'message_notification':
        if (conversationId !== undefined && !this.followed.has(conversationId)) {
          this.emit('notification', { conversationId, fromUserId: typeof frame.from_user_id === 'string' ? frame.from_user_id : null, preview: String(frame.preview ?? ''), seq: Number(frame.seq), timestamp: String(frame.timestamp) });
          return;
        }
        break;
      case 'conversation_added':
        if (conversationId !== undefined) this.emit('conversation_added', membershipOf(frame, conversationId));
        return;
      case 'conversation_removed':
        if (conversationId !== undefined) this.emit('conversation_removed', membershipOf(frame, conversationId));
        break;
      case 'participant_joined':
        if (conversationId !== undefined) this.participantsOf.get(conversationId)?.add(String(frame.user_id));
        break;
      case 'participant_left':
        if (conversationId !== undefined) this.participantsOf.get(conversationId)?.delete(String(frame.user_id));
        break;
    }
    if (conversationId !== undefined) this.followed.get(conversationId)?.handle(frame);
  }
}

/** Creates a client; call `connect()` to start. */
export function createClient(options: ClientOptions): Client {
  return new Client(options);
}

/** `online` on the window, `visibilitychange` on the document, where there are such things. */
function browserEnvironment(): EnvironmentEvents | undefined {
  const scope = globalThis as { addEventListener?: EventTarget['addEventListener']; removeEventListener?: EventTarget['removeEventListener']; document?: Document };
  if (typeof scope.addEventListener !== 'function' || !scope.document) return undefined;
  const doc = scope.document;
  return {
    addEventListener(type, listener) {
      if (type === 'online') scope.addEventListener!('online', listener);
      else doc.addEventListener('visibilitychange', listener);
    },
    removeEventListener(type, listener) {
      if (type === 'online') scope.removeEventListener!('online', listener);
      else doc.removeEventListener('visibilitychange', listener);
    },
    get visibilityState() {
      return doc.visibilityState;
    },
  };
}
