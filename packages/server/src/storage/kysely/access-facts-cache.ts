import type { AccessFacts } from '../store.js';

/** Conversations remembered at most; past it the cache starts over (it refills on demand). */
const MAX_CONVERSATIONS = 50_000;

/**
 * Access facts kept in memory, for a store that is its database's only writer: every change to
 * a conversation's state or membership goes through that store, which forgets the
 * conversation right after committing. A load that was under way when something was forgotten
 * is not kept (the generation moved), so a read racing a commit cannot put old facts back.
 */
export class AccessFactsCache {
  private readonly conversations = new Map<string, Map<string, AccessFacts>>();
  private generation = 0;

  async get(conversationId: string, userId: string, load: () => Promise<AccessFacts | undefined>): Promise<AccessFacts | undefined> {
    const known = this.conversations.get(conversationId)?.get(userId);
    if (known) return known;
    const generation = this.generation;
    const facts = await load();
    // Unknown conversations are not remembered: one may be created under that id later.
    if (facts && generation === this.generation) {
      let users = this.conversations.get(conversationId);
      if (!users) {
        if (this.conversations.size >= MAX_CONVERSATIONS) this.conversations.clear();
        this.conversations.set(conversationId, (users = new Map()));
      }
      users.set(userId, facts);
    }
    return facts;
  }

  /** Drops what is known of a conversation; call after a change to it commits. */
  forget(conversationId: string): void {
    this.generation++;
    this.conversations.delete(conversationId);
  }
}
