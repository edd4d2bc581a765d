import type { Actor, UserActor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import type { Conversation, Message, Participant, User } from '../core/model.js';
import { topics } from '../bus/domain-event.js';
import type { AfterCommitPublisher } from '../messages/after-commit-publisher.js';
import type { MessageService } from '../messages/message.service.js';
import type { Policy } from '../policy/policy.js';
import type { PresenceService } from '../presence/presence.service.js';
import type { Store, SupportCase } from '../storage/store.js';
import type { SupportQueues } from './support-queues.js';
import type { SupportService } from './support.service.js';

/** What someone who opens a case's live view sees first. */
export interface SessionView {
  readonly supportCase: SupportCase;
  readonly conversation: Conversation;
  readonly messages: readonly Message[];
  readonly participants: readonly Participant[];
  readonly users: ReadonlyMap<string, User>;
  readonly online: ReadonlySet<string>;
}

/**
 * The live side of support: staff watching a queue's feed, and people opening or leaving a
 * case's view. The checks and the announcements are here, so every transport has the same ones.
 */
export class SupportRoomsService {
  constructor(
    private readonly policy: Policy,
    private readonly queues: SupportQueues,
    private readonly support: SupportService,
    private readonly messages: MessageService,
    private readonly presence: PresenceService,
    private readonly store: Pick<Store, 'conversations' | 'users'>,
    private readonly publisher: AfterCommitPublisher,
  ) {}

  /**
   * Whether the actor may watch support queues (`support.monitor`): the queue's feed when one is
   * named (only its staff may), any queue's when none is.
   */
  mayMonitor(actor: Actor, queue?: string): boolean {
    if (actor.kind === 'service') return true;
    if (!this.policy.can({ kind: 'user', roles: actor.user.roles }, 'support.monitor')) return false;
    return queue === undefined ? this.queues.staffedBy(actor).length > 0 : this.queues.accessOf(actor, queue) !== 'none';
  }

  /** Throws `forbidden` unless the actor may watch support queues (the named one, when given). */
  requireMonitor(actor: Actor, queue?: string): void {
    if (!this.mayMonitor(actor, queue)) throw new AppError('forbidden', 'Only support staff can watch support queues');
  }

  /** Checks the actor staffs the queue, may watch its feed, and tells its other watchers. */
  async watchQueue(actor: UserActor, queue: string, origin: string): Promise<void> {
    if (!this.queues.has(queue)) throw new AppError('not_found', `Unknown queue ${queue}`);
    this.requireMonitor(actor, queue);
    await this.publisher.publish(topics.queue(queue), { type: 'room.joined', room: `support:${queue}`, userId: actor.user.id, origin });
  }

  /**
   * Opens a case's live view: what the viewer sees first, an announcement to the others in it,
   * and (for a participant) the read pointer moved to the end, as the support desk does.
   */
  async openSession(actor: UserActor, caseId: string, origin: string, options: { readonly maxBytes?: number } = {}): Promise<SessionView> {
    const { supportCase, conversation } = await this.support.get(actor, caseId);
    const [page, participants] = await Promise.all([this.messages.page(actor, caseId, { limit: 50, ...(options.maxBytes !== undefined && { maxBytes: options.maxBytes }) }), this.store.conversations.participants(caseId)]);
    const ids = participants.map((p) => p.userId);
    const users = new Map((await this.store.users.byIds(ids)).map((u) => [u.id, u]));
    const online = new Set((await this.presence.get(ids)).filter((p) => p.status === 'online').map((p) => p.userId));
    await this.announceMember(actor, caseId, true, origin);
    if (ids.includes(actor.user.id) && conversation.lastSeq > 0) await this.messages.markRead(actor, caseId, conversation.lastSeq, { origin });
    return { supportCase, conversation, messages: page.messages, participants, users, online };
  }

  /** Only someone who may read the case can announce leaving it. */
  async leaveSession(actor: UserActor, caseId: string, origin: string): Promise<void> {
    await this.support.get(actor, caseId);
    await this.announceMember(actor, caseId, false, origin);
  }

  private announceMember(actor: UserActor, caseId: string, joined: boolean, origin: string): Promise<void> {
    const { user } = actor;
    return this.publisher.publish(topics.conversation(caseId), { type: 'session.member', conversationId: caseId, userId: user.id, role: user.roles[0] ?? null, name: user.displayName, joined, origin });
  }
}
