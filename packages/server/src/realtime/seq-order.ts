import type { DomainEvent } from '../bus/domain-event.js';

/**
 * How long a message waits for a missing earlier seq before it is delivered anyway, in ms. A seq
 * that never comes (its node crashed between commit and publish, the bus dropped it) delays the
 * messages after it once, by this much; clients fetch the missing one with `sync`.
 */
export const REORDER_WINDOW_MS = 1000;

type MessageCreated = Extract<DomainEvent, { type: 'message.created' }>;

/**
 * Puts one conversation topic's `message.created` events back in seq order before they are
 * rendered. Messages commit in seq order, but their publications race: two nodes (or two
 * transactions on one node) publish independently, so seq 8 can reach a node before seq 7.
 * Events arriving in order pass straight through; one that skips ahead is held until the gap
 * fills or the window passes. Other events are never held.
 *
 * The first message seen sets the starting point: a node does not know what it missed before it
 * subscribed, and clients resume from their own last seq anyway.
 */
export class SeqOrder {
  private last: number | undefined;
  /** Messages waiting for an earlier seq; made on the first (most topics never hold any). */
  private held: Map<number, MessageCreated> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deliver: (event: DomainEvent) => void,
    private readonly windowMs = REORDER_WINDOW_MS,
  ) {}

  accept(event: DomainEvent): void {
    if (event.type !== 'message.created') return this.deliver(event);
    const seq = event.message.seq;
    const inOrder = this.last === undefined || seq === this.last + 1;
    // Late (after its window) or repeated: delivering it beats dropping it; readers dedupe by seq.
    const behind = this.last !== undefined && seq <= this.last;
    if (inOrder || behind) {
      if (!behind) this.last = seq;
      this.deliver(event);
      this.drain();
      return;
    }
    this.held ??= new Map();
    if (!this.held.has(seq)) this.held.set(seq, event);
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    this.timer.unref();
  }

  /**
   * Where the topic stood when a subscriber read it (the conversation's `last_seq`), so the first
   * message seen is held for a missing earlier one too. Ignored once messages have been seen.
   */
  seed(lastSeq: number): void {
    if (this.last === undefined && !this.held?.size) this.last = lastSeq;
  }

  /** Drops held events (the topic has no subscribers left). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    // Cleared, not only dropped: a drain in progress (a delivery closed the topic) stops too.
    this.held?.clear();
    this.held = undefined;
  }

  /** Delivers held events that now follow on, and stops waiting once nothing is held. */
  private drain(): void {
    const held = this.held;
    if (!held) return;
    for (let next = held.get(this.last! + 1); next !== undefined; next = held.get(this.last! + 1)) {
      held.delete(next.message.seq);
      this.last = next.message.seq;
      this.deliver(next);
    }
    if (held.size === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      if (this.held === held) this.held = undefined;
    }
  }

  /** The window passed: give up on the gap and deliver what is held, in seq order. */
  private flush(): void {
    this.timer = undefined;
    const waiting = [...(this.held?.values() ?? [])].sort((a, b) => a.message.seq - b.message.seq);
    this.held = undefined;
    for (const event of waiting) {
      this.last = event.message.seq;
      this.deliver(event);
    }
  }
}
