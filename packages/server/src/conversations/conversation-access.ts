import type { Actor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import type { Conversation, Participant } from '../core/model.js';
import type { Policy } from '../policy/policy.js';
import type { AccessFacts, ReadScope, Store } from '../storage/store.js';

export interface Access {
  readonly conversation: Conversation;
  /** The caller's participant row; absent for monitors and services. */
  readonly participant: Participant | undefined;
}

/** Participant roles that may manage a conversation they are in. */
const MANAGING_ROLES = new Set(['owner', 'admin', 'moderator']);

/**
 * What a caller who may not read a conversation is told, whether or not it exists: the same
 * code, status and text as for an id nobody ever used, so no answer reveals that a conversation
 * exists, or that two users talk.
 */
export function unreadable(): AppError {
  return new AppError('conversation_not_found');
}

/**
 * The one place that decides who may read, write and manage a conversation. Every transport
 * goes through it, so the rule cannot differ between REST, WebSocket and the profiles.
 *
 * A caller who may not read a conversation gets `conversation_not_found`, exactly as for one
 * that does not exist. Only a caller who may read it learns more: `not_participant` when they
 * watch without taking part (a monitor writing), `forbidden` when they take part without the
 * right (a member managing).
 */
export class ConversationAccess {
  constructor(
    private readonly store: Store,
    private readonly policy: Policy,
  ) {}

  /**
   * Current participants, services and `conversations.monitor` holders may read; a support case
   * is also read by the staff of its queue (`Policy.queueAccess`), and by nobody else's.
   */
  async read(actor: Actor, conversationId: string): Promise<Access> {
    const { conversation, participant } = await this.load(actor, conversationId);
    if (participant || actor.kind === 'service') return { conversation, participant };
    if (await this.watches(actor.user.roles, conversation)) return { conversation, participant: undefined };
    throw unreadable();
  }

  /**
   * The rule of `read` for every conversation at once, as a set the store can select (search):
   * services and `conversations.monitor` holders read all; anyone else the conversations they
   * currently take part in and the cases of the queues they staff.
   */
  readScope(actor: Actor): ReadScope {
    if (actor.kind === 'service' || this.policy.can({ kind: 'user', roles: actor.user.roles }, 'conversations.monitor')) return { kind: 'all' };
    const supportQueues = Object.keys(this.policy.support.queues).filter((queue) => this.policy.queueAccess(actor.user.roles, queue) !== 'none');
    return { kind: 'member', userId: actor.user.id, supportQueues };
  }

  /** Only current participants write; monitoring is read-only. */
  async write(actor: Actor, conversationId: string): Promise<Access & { participant: Participant }> {
    const { conversation, participant } = await this.load(actor, conversationId);
    if (participant) return { conversation, participant };
    throw await this.refusal(actor, conversation);
  }

  /**
   * The same rule as `write`, decided from the conversation's kind and state alone (no counters
   * such as `lastSeq`): what sending needs, answered from memory where the store can.
   */
  async writeFacts(actor: Actor, conversationId: string): Promise<AccessFacts> {
    // A host app's backend reads everything but takes part in nothing.
    if (actor.kind !== 'user') throw new AppError('not_participant');
    const facts = await this.store.conversations.accessFacts(conversationId, actor.user.id);
    if (!facts) throw unreadable();
    if (current(facts.participant)) return facts;
    // The slow path only for non-participants: whether they may know the conversation exists.
    const conversation = await this.store.conversations.byId(conversationId);
    throw conversation ? await this.refusal(actor, conversation) : unreadable();
  }

  /** Services, `conversations.manage` holders and owners/admins of the conversation. */
  async manage(actor: Actor, conversationId: string): Promise<Access> {
    const { conversation, participant } = await this.load(actor, conversationId);
    if (actor.kind === 'service') return { conversation, participant };
    if (this.policy.can({ kind: 'user', roles: actor.user.roles }, 'conversations.manage')) return { conversation, participant };
    if (participant && MANAGING_ROLES.has(participant.role)) return { conversation, participant };
    if (participant) throw new AppError('forbidden', 'Only the conversation owner or a manager can do this');
    throw await this.refusal(actor, conversation);
  }

  /** Why a non-participant may not write: `not_participant` if they may read it, else "not found". */
  private async refusal(actor: Actor, conversation: Conversation): Promise<AppError> {
    const readable = actor.kind === 'service' || (await this.watches(actor.user.roles, conversation));
    return readable ? new AppError('not_participant') : unreadable();
  }

  /** Reading without taking part: monitors everywhere, and support staff in their queues' cases. */
  private async watches(roles: readonly string[], conversation: Conversation): Promise<boolean> {
    if (this.policy.can({ kind: 'user', roles }, 'conversations.monitor')) return true;
    if (conversation.type !== 'support') return false;
    // The case row holds the queue (a transfer moves it there), not the conversation's metadata.
    const supportCase = await this.store.cases.byConversation(conversation.id);
    return supportCase !== undefined && this.policy.queueAccess(roles, supportCase.queue) !== 'none';
  }

  private async load(actor: Actor, conversationId: string): Promise<Access> {
    const conversation = await this.store.conversations.byId(conversationId);
    if (!conversation) throw unreadable();
    if (actor.kind === 'service') return { conversation, participant: undefined };
    return { conversation, participant: current(await this.store.conversations.participant(conversationId, actor.user.id)) };
  }
}

/** A membership counts while the user has not left. */
function current<P extends { readonly leftAt: string | null }>(participant: P | undefined): P | undefined {
  return participant && participant.leftAt === null ? participant : undefined;
}
