import { createHash } from 'node:crypto';
import type { UserActor } from '../core/actor.js';

export interface CredentialCacheOptions {
  /** How long a verified credential is trusted without the store, in ms; 0 keeps nothing. */
  readonly maxAgeMs: number;
  /** Entries kept at most; the oldest go first. @default 20000 */
  readonly maxEntries?: number;
}

interface Entry {
  readonly actor: UserActor;
  /** Epoch ms: the token's (or session's) end, or `maxAgeMs` after it was checked, whichever is first. */
  readonly untilMs: number;
}

/**
 * Bearer credentials checked recently, by a digest of the token: what `AuthService.authenticate`
 * found (the user, the token's id and expiry), so a client that reconnects, opens another tab or
 * calls the API again with the same token is not verified and read from the store every time.
 *
 * Revocation still holds. A user's entries are dropped when their sessions end or the user
 * changes (`forget`, driven by the bus on every node, at once on the node that made the change),
 * and a check that was already reading the store when that happened is not kept (`ticket`). An
 * entry never outlives its token, and never `maxAgeMs`: that bounds how long a change the bus
 * did not carry (a lost event, a CLI run against the database of a node without Redis) goes
 * unseen.
 */
export class CredentialCache {
  /** Insertion order is check order: the oldest entries are the first to expire. */
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  /** Counts every `forget`: a check begun before one may not be kept. */
  private epoch = 0;

  constructor(private readonly options: CredentialCacheOptions) {
    this.maxEntries = options.maxEntries ?? 20_000;
  }

  /** The key a token is kept under: a digest, so the cache holds no tokens. */
  static keyOf(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  get enabled(): boolean {
    return this.options.maxAgeMs > 0;
  }

  /** What the token stood for when checked, unless that has been forgotten or expired. */
  get(key: string): UserActor | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.untilMs <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.actor;
  }

  /** Take one before reading the store for a credential; `put` keeps the result only if nothing was forgotten since. */
  ticket(): number {
    return this.epoch;
  }

  /** Keeps a check's result until `expiresAtMs` (the credential's end) or `maxAgeMs` from now. */
  put(key: string, actor: UserActor, expiresAtMs: number, ticket: number): void {
    if (!this.enabled || ticket !== this.epoch) return;
    const now = Date.now();
    const untilMs = Math.min(expiresAtMs, now + this.options.maxAgeMs);
    if (untilMs <= now) return;
    this.entries.delete(key);
    this.entries.set(key, { actor, untilMs });
    this.prune(now);
  }

  /** The user's sessions ended or the user changed: nothing of theirs is trusted any more. */
  forget(userId: string): void {
    this.epoch++;
    for (const [key, entry] of this.entries) if (entry.actor.user.id === userId) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops expired entries from the front, and the oldest past `maxEntries`. */
  private prune(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.untilMs > now && this.entries.size <= this.maxEntries) return;
      this.entries.delete(key);
    }
  }
}
