import { newClientId } from './client-id.js';
import { SwitchboardError } from './errors.js';
import type { OutboxRecord, OutboxStorage } from './outbox-storage.js';
import type { Draft, Message, PendingSend } from './types.js';

interface Waiter {
  resolve(message: Message): void;
  reject(error: SwitchboardError): void;
}

/**
 * Every send from its creation to its acknowledgement. A send gets its `client_id` here, is
 * written to storage before it may go out, and leaves only when the server acknowledged it
 * (or the app cancelled it). Which entry goes out next, per conversation, is decided here too:
 * the oldest pending one, one at a time, so a conversation's sends commit in the order made.
 */
export class Outbox {
  private readonly records = new Map<string, OutboxRecord>();
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly inFlight = new Set<string>();
  /** Conversations whose head send waits for a retry time; nothing after it may overtake it. */
  private readonly pausedUntil = new Map<string, number>();
  private order = 0;
  private ready: Promise<void>;
  /** Set once the client closed: sends still get stored, but nobody will send them from here. */
  private closedBy: SwitchboardError | undefined;

  constructor(
    private readonly storage: OutboxStorage,
    private readonly changed: (conversationId: string) => void,
  ) {
    this.ready = storage.load().then((records) => {
      for (const record of records) {
        this.records.set(record.clientId, record);
        this.order = Math.max(this.order, record.order + 1);
      }
      for (const conversationId of new Set(records.map((r) => r.conversationId))) this.changed(conversationId);
    });
  }

  /** Resolves once the stored sends are loaded (they go out on the next connection). */
  loaded(): Promise<void> {
    return this.ready;
  }

  /** Stores a new send; the promise resolves with the committed message. */
  async add(conversationId: string, draft: Draft): Promise<{ clientId: string; acknowledged: Promise<Message> }> {
    await this.ready;
    const record: OutboxRecord = { clientId: newClientId(), conversationId, draft: copyDraft(draft), createdAt: new Date().toISOString(), status: 'pending', attempts: 0, order: this.order++ };
    await this.storage.put(record);
    this.records.set(record.clientId, record);
    const acknowledged = this.waitFor(record.clientId);
    this.changed(conversationId);
    return { clientId: record.clientId, acknowledged };
  }

  list(conversationId?: string): PendingSend[] {
    return [...this.records.values()]
      .filter((r) => conversationId === undefined || r.conversationId === conversationId)
      .sort((a, b) => a.order - b.order)
      .map(({ order: _order, ...send }) => send);
  }

  conversationsWithWork(): string[] {
    return [...new Set([...this.records.values()].filter((r) => r.status === 'pending').map((r) => r.conversationId))];
  }

  /**
   * The send that should go out next in this conversation, or nothing: one already in flight,
   * the head waiting for its retry time, or none pending. Failed sends are skipped: they wait
   * for the app, and must not hold back what was written after them.
   */
  next(conversationId: string, now = Date.now()): OutboxRecord | undefined {
    if ((this.pausedUntil.get(conversationId) ?? 0) > now) return undefined;
    let head: OutboxRecord | undefined;
    for (const record of this.records.values()) {
      if (record.conversationId !== conversationId) continue;
      if (this.inFlight.has(record.clientId)) return undefined;
      if (record.status === 'pending' && (head === undefined || record.order < head.order)) head = record;
    }
    return head;
  }

  /** The send goes out now. Attempts are counted in memory only: not worth a durable write. */
  sending(clientId: string): void {
    const record = this.records.get(clientId);
    if (!record) return;
    this.inFlight.add(clientId);
    this.records.set(clientId, { ...record, attempts: record.attempts + 1 });
  }

  /** The server has it: forget the send and resolve everyone waiting for it. */
  async acknowledged(clientId: string, message: Message): Promise<void> {
    this.inFlight.delete(clientId);
    const record = this.records.get(clientId);
    if (!record) return;
    this.records.delete(clientId);
    this.settle(clientId, (w) => w.resolve(message));
    // The server has it either way. A stored copy that could not be deleted goes out once more
    // from the next client on this storage and comes back as the original, never as a second one.
    await this.storage.delete(clientId).catch(() => undefined);
    this.changed(record.conversationId);
  }

  /** No answer (the connection went): it goes out again, with the same `client_id`. */
  unanswered(clientId: string): void {
    this.inFlight.delete(clientId);
  }

  /** Refused for now (rate limit, slow mode, outage): the conversation waits, then retries it. */
  postpone(clientId: string, untilMs: number): void {
    this.inFlight.delete(clientId);
    const record = this.records.get(clientId);
    if (record) this.pausedUntil.set(record.conversationId, untilMs);
  }

  resumeAt(conversationId: string): number | undefined {
    return this.pausedUntil.get(conversationId);
  }

  /** Refused for good (validation, ban, closed conversation): kept as failed for retry or cancel. */
  async failed(clientId: string, error: SwitchboardError): Promise<void> {
    this.inFlight.delete(clientId);
    const record = this.records.get(clientId);
    if (!record) return;
    this.settle(clientId, (w) => w.reject(error));
    // Kept as pending in storage if this write fails: the next client sends it and hears the refusal again.
    await this.update({ ...record, status: 'failed', error: { code: error.code, message: error.message } }).catch(() => undefined);
  }

  /** A failed send goes out again (same `client_id`); resolves once it is acknowledged. */
  async retry(clientId: string): Promise<Message> {
    await this.ready;
    const record = this.records.get(clientId);
    if (!record) throw new SwitchboardError('not_found', `No unacknowledged send ${clientId}`);
    const acknowledged = this.waitFor(clientId);
    if (record.status === 'failed') {
      const { error: _error, ...rest } = record;
      await this.update({ ...rest, status: 'pending' });
    }
    this.pausedUntil.delete(record.conversationId);
    return acknowledged;
  }

  /**
   * Drops a send that is not in flight. One that went out before without an answer may still
   * have been committed: then it arrives through sync like any other message.
   */
  async cancel(clientId: string): Promise<boolean> {
    await this.ready;
    const record = this.records.get(clientId);
    if (!record || this.inFlight.has(clientId)) return false;
    this.records.delete(clientId);
    await this.storage.delete(clientId);
    this.settle(clientId, (w) => w.reject(new SwitchboardError('cancelled', 'The send was cancelled')));
    this.changed(record.conversationId);
    return true;
  }

  /** The client is closing: waiters learn why; stored sends stay for the next client. */
  abandon(error: SwitchboardError): void {
    this.closedBy = error;
    this.inFlight.clear();
    for (const clientId of [...this.waiters.keys()]) this.settle(clientId, (w) => w.reject(error));
  }

  private waitFor(clientId: string): Promise<Message> {
    if (this.closedBy) return Promise.reject(this.closedBy);
    return new Promise<Message>((resolve, reject) => {
      const list = this.waiters.get(clientId) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(clientId, list);
    });
  }

  private settle(clientId: string, fn: (waiter: Waiter) => void): void {
    const list = this.waiters.get(clientId);
    this.waiters.delete(clientId);
    for (const waiter of list ?? []) fn(waiter);
  }

  private async update(record: OutboxRecord): Promise<void> {
    this.records.set(record.clientId, record);
    await this.storage.put(record);
    this.changed(record.conversationId);
  }
}

function copyDraft(draft: Draft): Draft {
  return JSON.parse(JSON.stringify(draft)) as Draft;
}
