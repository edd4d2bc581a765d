import type { Message } from './types.js';

/**
 * One conversation's messages as the app sees them: each seq once, in order, without gaps.
 * Messages that arrive ahead of a missing seq are held until it comes (the caller syncs to get
 * it); messages at or below the last delivered seq are repeats and dropped. Seqs are gap-free
 * per conversation on the server, so a hole always means something still to fetch.
 */
export class Timeline {
  private last: number | undefined;
  private readonly held = new Map<number, Message>();

  /** The last seq delivered to the app, or undefined before the starting point is known. */
  get lastSeq(): number | undefined {
    return this.last;
  }

  /** Whether something is held behind a missing seq. */
  get hasGap(): boolean {
    return this.held.size > 0;
  }

  /** Sets where delivery starts (messages up to `seq` count as seen); only once. */
  start(seq: number): Message[] {
    if (this.last === undefined) this.last = seq;
    return this.drain();
  }

  /** Takes messages in any order; returns those now deliverable, in seq order. */
  accept(messages: readonly Message[]): Message[] {
    for (const message of messages) {
      if (this.last !== undefined && message.seq <= this.last) continue;
      this.held.set(message.seq, message);
    }
    return this.drain();
  }

  /** A held message changed before delivery (edited, hidden): deliver the new version. */
  replaceHeld(message: Message): boolean {
    if (!this.held.has(message.seq)) return false;
    this.held.set(message.seq, message);
    return true;
  }

  private drain(): Message[] {
    if (this.last === undefined) return [];
    const out: Message[] = [];
    for (let next = this.held.get(this.last + 1); next !== undefined; next = this.held.get(this.last + 1)) {
      this.held.delete(next.seq);
      this.last = next.seq;
      out.push(next);
    }
    return out;
  }
}
