import type { Actor } from '../core/actor.js';
import type { Bus } from '../bus/bus.js';
import { topics } from '../bus/domain-event.js';
import type { ConversationAccess } from '../conversations/conversation-access.js';

/**
 * Typing indicators: ephemeral, never stored. An indicator that is not refreshed within the
 * timeout is withdrawn by the server, so a client that vanishes mid-word does not type forever.
 */
export class TypingService {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Display names of users who typed recently, for the expiry event. */
  private readonly names = new Map<string, string>();

  constructor(
    private readonly bus: Bus,
    private readonly access: ConversationAccess,
    private readonly timeoutMs: number,
  ) {}

  async set(actor: Actor, conversationId: string, isTyping: boolean): Promise<void> {
    const { participant } = await this.access.write(actor, conversationId);
    const userName = actor.kind === 'user' ? actor.user.displayName : participant.userId;
    this.names.set(participant.userId, userName);
    const key = `${conversationId}\u0000${participant.userId}`;
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    if (isTyping) {
      const timer = setTimeout(() => {
        this.timers.delete(key);
        void this.publish(conversationId, participant.userId, false);
      }, this.timeoutMs);
      timer.unref();
      this.timers.set(key, timer);
    }
    await this.publish(conversationId, participant.userId, isTyping);
  }

  /** A user who sends a message has stopped typing. */
  async stopIfTyping(conversationId: string, userId: string): Promise<void> {
    const key = `${conversationId}\u0000${userId}`;
    const timer = this.timers.get(key);
    if (!timer) return;
    clearTimeout(timer);
    this.timers.delete(key);
    await this.publish(conversationId, userId, false);
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private publish(conversationId: string, userId: string, isTyping: boolean): Promise<void> {
    const userName = this.names.get(userId) ?? userId;
    if (!isTyping) this.names.delete(userId);
    return this.bus.publish(topics.conversation(conversationId), { type: 'typing', conversationId, userId, userName, isTyping });
  }
}
