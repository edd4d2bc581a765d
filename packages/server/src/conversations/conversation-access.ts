import type { Actor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import type { Conversation, Participant } from '../core/model.js';
import type { Policy } from '../policy/policy.js';
import type { AccessFacts, Store } from '../storage/store.js';

export interface Access {
  readonly conversation: Conversation;
  /** The caller's participant row; absent for monitors and services. */
  readonly participant: Participant | undefined;
}

/** Participant roles that may manage a conversation they are in. */
const MANAGING_ROLES = new Set(['owner', 'admin', 'moderator']);

/**
 * The one place that decides who may read, write and manage a conversation. Every transport
 * goes through it, so the rule cannot differ between REST, WebSocket and the profiles.
 */
export class ConversationAccess {
  constructor(
    private readonly store: Store,
    private readonly policy: Policy,
  ) {}

  /** Current participants, services and monitors may read; support staff read support cases. */
  async read(actor: Actor, conversationId: string): Promise<Access> {
    const { conversation, participant } = await this.load(actor, conversationId);
    if (participant) return { conversation, participant };
    if (actor.kind === 'service') return { conversation, participant: undefined };
    const subject = { kind: 'user', roles: actor.user.roles } as const;
    const supportStaff = conversation.type === 'support' && (this.policy.can(subject, 'support.handle') || this.policy.can(subject, 'support.monitor'));
    if (supportStaff || this.policy.can(subject, 'conversations.monitor')) return { conversation, participant: undefined };
    throw new AppError('not_participant');
  }

  /** Only current participants write; monitoring is read-only. */
  async write(actor: Actor, conversationId: string): Promise<Access & { participant: Participant }> {
    const { conversation, participant } = await this.load(actor, conversationId);
    return { conversation, participant: writer(participant) };
  }

  /**
   * The same rule as `write`, decided from the conversation's kind and state alone (no counters
   * such as `lastSeq`): what sending needs, answered from memory where the store can.
   */
  async writeFacts(actor: Actor, conversationId: string): Promise<AccessFacts> {
    if (actor.kind !== 'user') throw new AppError('not_participant');
    const facts = await this.store.conversations.accessFacts(conversationId, actor.user.id);
    if (!facts) throw new AppError('conversation_not_found');
    writer(current(facts.participant));
    return facts;
  }

  /** Services, `conversations.manage` holders and owners/admins of the conversation. */
  async manage(actor: Actor, conversationId: string): Promise<Access> {
    const { conversation, participant } = await this.load(actor, conversationId);
    if (actor.kind === 'service') return { conversation, participant };
    if (this.policy.can({ kind: 'user', roles: actor.user.roles }, 'conversations.manage')) return { conversation, participant };
    if (participant && MANAGING_ROLES.has(participant.role)) return { conversation, participant };
    if (participant) throw new AppError('forbidden', 'Only the conversation owner or a manager can do this');
    throw new AppError('not_participant');
  }

  private async load(actor: Actor, conversationId: string): Promise<Access> {
    const conversation = await this.store.conversations.byId(conversationId);
    if (!conversation) throw new AppError('conversation_not_found');
    if (actor.kind === 'service') return { conversation, participant: undefined };
    return { conversation, participant: current(await this.store.conversations.participant(conversationId, actor.user.id)) };
  }
}

/** A membership counts while the user has not left. */
function current<P extends { readonly leftAt: string | null }>(participant: P | undefined): P | undefined {
  return participant && participant.leftAt === null ? participant : undefined;
}

/** Writing needs a current membership. */
function writer<P>(participant: P | undefined): P {
  if (!participant) throw new AppError('not_participant');
  return participant;
}
