import { CoalescedPointer } from './coalesced-pointer.js';
import type { Connection } from './connection.js';
import { Emitter } from './emitter.js';
import { membershipOf, presenceOf } from './frame-events.js';
import { SwitchboardError } from './errors.js';
import type { Outbox } from './outbox.js';
import { Timeline } from './timeline.js';
import { TypingSignal } from './typing-signal.js';
import type { ConversationEvents, Draft, Message, PendingSend, ServerFrame } from './types.js';

export interface ConversationOptions {
  /**
   * Deliver every message after this seq (the last one the app has, kept across reloads).
   * Without it the conversation starts with its newest `initialPage` messages.
   */
  readonly since?: number;
}

/** Timings and sizes a conversation uses; every field has a default in the client. */
export interface ConversationTuning {
  readonly initialPage: number;
  readonly syncPage: number;
  readonly typingThrottleMs: number;
  readonly typingIdleMs: number;
  readonly receiptIntervalMs: number;
}

/** How a conversation reaches the rest of the client. */
export interface ConversationHost {
  readonly connection: Connection;
  readonly outbox: Outbox;
  readonly tuning: ConversationTuning;
  /** Someone wants this conversation's sends to go out now. */
  pump(conversationId: string): void;
  forget(conversationId: string): void;
}

/** At most this many sync rounds in a row for one gap: a seq that never comes must not spin. */
const MAX_SYNC_ROUNDS = 50;

/**
 * One conversation the app follows: its messages in seq order exactly once (live, and after
 * every reconnect from the last seq seen), its sends through the outbox, receipts and typing.
 */
export class Conversation extends Emitter<ConversationEvents> {
  private readonly timeline = new Timeline();
  private following = true;
  private syncing = false;
  private syncAgain = false;
  private readonly read: CoalescedPointer;
  private readonly delivered: CoalescedPointer;
  private readonly typingSignal: TypingSignal;
  private oldestSeq: number | undefined;

  /** @internal Made by `client.conversation(id)`. */
  constructor(
    readonly id: string,
    private readonly host: ConversationHost,
    options: ConversationOptions = {},
  ) {
    super();
    const { connection, tuning } = host;
    const connected = () => connection.state === 'connected';
    this.read = new CoalescedPointer(
      async (seq) => Number((await connection.request('mark_message_read', { conversation_id: id, seq })).last_read_seq ?? seq),
      tuning.receiptIntervalMs,
      connected,
    );
    this.delivered = new CoalescedPointer(
      async (seq) => Number((await connection.request('mark_delivered', { conversation_id: id, seq })).last_delivered_seq ?? seq),
      tuning.receiptIntervalMs,
      connected,
    );
    this.typingSignal = new TypingSignal((isTyping) => connection.notify('typing_indicator', { conversation_id: id, is_typing: isTyping }), tuning.typingThrottleMs, tuning.typingIdleMs);
    if (options.since !== undefined) {
      this.timeline.start(options.since);
      this.oldestSeq = options.since + 1;
    }
  }

  /** The last seq delivered to the app (undefined until the first page arrived). */
  get lastSeq(): number | undefined {
    return this.timeline.lastSeq;
  }

  /** The signed-in user's read pointer as last known. */
  get readSeq(): number {
    return this.read.value;
  }

  /** Sends a message; resolves with it once the server committed it. Works offline (queued). */
  async send(draft: Draft): Promise<Message> {
    // The server ends typing when the message arrives, so no stop frame is needed.
    this.typingSignal.stop(false);
    const { acknowledged } = await this.host.outbox.add(this.id, draft);
    return acknowledged;
  }

  /** This conversation's sends not acknowledged yet, oldest first. */
  pending(): PendingSend[] {
    return this.host.outbox.list(this.id);
  }

  /** Sends a failed (or waiting) send again now, with the same `client_id`. */
  retry(clientId: string): Promise<Message> {
    const acknowledged = this.host.outbox.retry(clientId);
    queueMicrotask(() => this.host.pump(this.id));
    return acknowledged;
  }

  /** Drops a send that is not in flight; false if there is none or it is on its way. */
  cancel(clientId: string): Promise<boolean> {
    return this.host.outbox.cancel(clientId);
  }

  /**
   * Older messages, oldest first: the `limit` messages before `beforeSeq` (default: before the
   * oldest one delivered). Seqs are gap-free, so a page is one exact seq range.
   */
  async history(query: { beforeSeq?: number; limit?: number } = {}): Promise<Message[]> {
    const before = query.beforeSeq ?? this.oldestSeq ?? (this.timeline.lastSeq ?? 0) + 1;
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    const from = Math.max(0, before - limit - 1);
    const out: Message[] = [];
    let after = from;
    while (after < before - 1) {
      const page = await this.syncPage(after, Math.min(before - 1 - after, 500));
      const wanted = page.messages.filter((m) => m.seq < before);
      out.push(...wanted);
      if (!page.hasMore || wanted.length === 0 || page.messages.length === 0) break;
      after = page.messages[page.messages.length - 1]!.seq;
    }
    if (out.length > 0) this.oldestSeq = Math.min(this.oldestSeq ?? Infinity, out[0]!.seq);
    return out;
  }

  /**
   * Moves the read pointer to `seq` (default: the last message delivered). Coalesced: at most
   * one `read` per interval goes out, carrying the furthest seq asked for; it never moves back.
   */
  markRead(seq?: number): void {
    this.read.moveTo(seq ?? this.timeline.lastSeq ?? 0);
  }

  /** Says the user is typing: at most one start per throttle interval, a stop after idling. */
  typing(): void {
    this.typingSignal.keystroke();
  }

  /** Says the user stopped typing (sent only if a start was). */
  stopTyping(): void {
    this.typingSignal.stop();
  }

  async edit(messageId: string, content: string): Promise<Message> {
    const reply = await this.host.connection.request('edit_message', { conversation_id: this.id, message_id: messageId, content });
    return reply.message as Message;
  }

  async delete(messageId: string): Promise<Message> {
    const reply = await this.host.connection.request('delete_message', { conversation_id: this.id, message_id: messageId });
    return reply.message as Message;
  }

  async react(messageId: string, emoji: string, on = true): Promise<ReactionSummary[]> {
    const reply = await this.host.connection.request(on ? 'add_reaction' : 'remove_reaction', { conversation_id: this.id, message_id: messageId, emoji });
    return reply.reactions as ReactionSummary[];
  }

  async report(messageId: string, reason: string, note?: string): Promise<{ reportId: string; created: boolean }> {
    const reply = await this.host.connection.request('report_message', { conversation_id: this.id, message_id: messageId, reason, ...(note !== undefined && { note }) });
    return { reportId: String(reply.report_id), created: reply.created === true };
  }

  /** Stops following: no more events; sends already made still go out. */
  leave(): void {
    if (!this.following) return;
    this.following = false;
    this.typingSignal.stop();
    this.read.stop();
    this.delivered.stop();
    if (this.host.connection.state === 'connected') {
      void this.host.connection.request('leave_conversation', { conversation_id: this.id }).catch(() => {});
    }
    this.host.forget(this.id);
    this.removeAllListeners();
  }

  /** @internal A connection is (again) authenticated: join the room, then catch up from the last seq. */
  async resume(): Promise<void> {
    if (!this.following) return;
    try {
      await this.host.connection.request('join_conversation', { conversation_id: this.id });
      await this.catchUp();
      this.read.flush();
      this.delivered.flush();
    } catch (error) {
      if (!(error instanceof SwitchboardError)) throw error;
      if (error.code === 'not_participant' || error.code === 'conversation_not_found' || error.code === 'forbidden') {
        this.emit('removed', { conversationId: this.id, by: null });
      }
      // Offline or timed out: the next connection resumes again.
    }
  }

  /** @internal A frame about this conversation. */
  handle(frame: ServerFrame): void {
    if (!this.following) return;
    switch (frame.type) {
      case 'new_message':
        this.deliver(this.timeline.accept([frame.message as Message]));
        if (this.timeline.hasGap) void this.catchUp();
        return;
      case 'message_notification':
        // Told about a message instead of being sent it: the room was left; fetch what is new.
        void this.catchUp();
        return;
      case 'message_edited':
      case 'message_deleted':
      case 'message_hidden': {
        const message = frame.message as Message;
        const change = frame.type === 'message_edited' ? 'edited' : frame.type === 'message_deleted' ? 'deleted' : 'hidden';
        // Not delivered yet: it will be delivered as it is now, once its turn comes.
        if (this.timeline.replaceHeld(message)) return;
        if (this.timeline.lastSeq !== undefined && message.seq <= this.timeline.lastSeq) this.emit('update', { change, message });
        return;
      }
      case 'reaction_updated':
        this.emit('reaction', {
          messageId: String(frame.message_id),
          userId: String(frame.user_id),
          emoji: String(frame.emoji),
          action: frame.action === 'removed' ? 'removed' : 'added',
          reactions: (frame.reactions ?? []) as ReactionSummary[],
        });
        return;
      case 'typing_status':
        this.emit('typing', { userId: String(frame.user_id), isTyping: frame.is_typing === true });
        return;
      case 'message_read': {
        const seq = Number(frame.last_read_seq);
        // Read on another device: the pointer is already there.
        if (frame.user_id === this.host.connection.session?.userId) this.read.known(seq);
        this.emit('read', { userId: String(frame.user_id), seq, messageId: typeof frame.message_id === 'string' ? frame.message_id : null });
        return;
      }
      case 'delivery_receipt':
        this.emit('delivered', { userId: String(frame.user_id), seq: Number(frame.last_delivered_seq) });
        return;
      case 'presence':
        this.emit('presence', presenceOf(frame));
        return;
      case 'conversation_removed':
        this.emit('removed', membershipOf(frame, this.id));
        return;
      default:
        this.emit(frame.type, frame);
    }
  }

  /** @internal The server committed one of our sends: it joins the timeline at its seq. */
  acknowledged(message: Message): void {
    if (this.following) this.deliver(this.timeline.accept([message]));
    if (this.timeline.hasGap) void this.catchUp();
  }

  /** @internal */
  pendingChanged(): void {
    if (this.following) this.emit('pending', this.pending());
  }

  /**
   * Fetches everything after the last seq seen, paging while the server says `has_more`, and
   * delivers it in order. Live messages that arrive meanwhile wait in the timeline. Runs once at
   * a time; a request for another round while one runs is remembered.
   */
  private async catchUp(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    try {
      let rounds = 0;
      do {
        this.syncAgain = false;
        if (this.timeline.lastSeq === undefined) {
          await this.firstPage();
          continue;
        }
        for (;;) {
          const page = await this.syncPage(this.timeline.lastSeq ?? 0, this.host.tuning.syncPage);
          this.deliver(this.timeline.accept(page.messages));
          if (!page.hasMore || page.messages.length === 0) break;
        }
      } while ((this.syncAgain || this.timeline.hasGap) && ++rounds < MAX_SYNC_ROUNDS && this.following);
    } catch (error) {
      if (!(error instanceof SwitchboardError)) throw error;
      // Offline or refused: the next connection (or the next live gap) tries again.
    } finally {
      this.syncing = false;
    }
    // A round asked for while this one was failing (a new connection's resume) still runs.
    if (this.syncAgain && this.following && this.host.connection.state === 'connected') void this.catchUp();
  }

  /** No starting point yet: the newest page sets it. */
  private async firstPage(): Promise<void> {
    const reply = await this.host.connection.request('get_conversation_messages', { conversation_id: this.id, limit: this.host.tuning.initialPage });
    const messages = (reply.messages ?? []) as Message[];
    const start = messages.length > 0 ? messages[0]!.seq - 1 : 0;
    this.oldestSeq = start + 1;
    this.deliver(this.timeline.start(start));
    this.deliver(this.timeline.accept(messages));
  }

  private async syncPage(afterSeq: number, limit: number): Promise<{ messages: Message[]; hasMore: boolean }> {
    const reply = await this.host.connection.request('sync', { conversations: [{ id: this.id, after_seq: afterSeq }], limit: Math.max(1, Math.min(limit, 500)) });
    const entry = ((reply.conversations ?? []) as { messages: Message[]; has_more: boolean; last_read_seq: number | null }[])[0];
    if (!entry) return { messages: [], hasMore: false };
    if (typeof entry.last_read_seq === 'number') this.read.known(entry.last_read_seq);
    return { messages: entry.messages, hasMore: entry.has_more };
  }

  private deliver(messages: readonly Message[]): void {
    if (messages.length === 0) return;
    for (const message of messages) this.emit('message', message);
    this.delivered.moveTo(messages[messages.length - 1]!.seq);
  }
}

export interface ReactionSummary {
  readonly emoji: string;
  readonly count: number;
  readonly user_ids: readonly string[];
}
