import type { Actor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import type { Conversation, Message, User } from '../core/model.js';
import type { Bus } from '../bus/bus.js';
import { topics } from '../bus/domain-event.js';
import type { Policy } from '../policy/policy.js';
import type { Store } from '../storage/store.js';
import type { MessageService } from '../messages/message.service.js';
import type { SendRateLimit } from '../limits/send-rate-limit.js';
import { GENERAL_QUEUE, queueFor } from './support-queues.js';

export interface OpenCaseInput {
  readonly title: string;
  readonly content: string;
  readonly queue?: string;
  readonly clientId?: string;
}

export interface OpenCaseResult {
  readonly conversation: Conversation;
  readonly firstMessage: Message;
  readonly staff: readonly User[];
  readonly queue: string;
}

/** Support cases: a conversation of type `support` between a requester and the staff. */
export class SupportService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly policy: Policy,
    private readonly messages: MessageService,
    private readonly rateLimit: SendRateLimit,
  ) {}

  /**
   * Opens a case with every enabled staff member (roles with `support.handle`) as participant,
   * the content as its first message, and announces it to the general queue and the
   * creator's role queue.
   */
  async open(actor: Actor, input: OpenCaseInput): Promise<OpenCaseResult> {
    if (actor.kind !== 'user') throw new AppError('forbidden', 'Opening a case needs a user token');
    if (!this.policy.can({ kind: 'user', roles: actor.user.roles }, 'support.create')) {
      throw new AppError('forbidden', 'Your role may not open support cases');
    }
    const staff = (await this.store.users.withRoles(this.policy.rolesWith('support.handle'))).filter((u) => u.id !== actor.user.id);
    if (staff.length === 0) throw new AppError('not_found', 'No support staff available');
    const queue = queueFor(actor.user.roles, input.queue);
    this.messages.checkContent(input.content, 'text', undefined);
    await this.rateLimit.consume(actor.user.id);
    const { conversation, message } = await this.store.conversations.createWithMessage({
      type: 'support',
      context: null,
      title: `Support: ${input.title}`,
      status: 'active',
      metadata: { queue, creator_role: actor.user.roles[0] ?? null },
      createdBy: actor.user.id,
      participants: [{ userId: actor.user.id, role: 'requester' }, ...staff.map((u) => ({ userId: u.id, role: 'staff' }))],
    }, { senderId: actor.user.id, kind: 'text', content: input.content, clientId: input.clientId ?? null });
    await this.bus.publish(topics.conversation(conversation.id), { type: 'message.created', conversationId: conversation.id, message });
    // Announced after the first message commits, so whoever hears of the case can read it.
    const participantIds = [actor.user.id, ...staff.map((u) => u.id)];
    const created = { type: 'conversation.created', conversation, participantIds, firstMessage: message } as const;
    await Promise.all(participantIds.map((id) => this.bus.publish(topics.user(id), created)));
    const creator = { id: actor.user.id, name: actor.user.displayName, role: actor.user.roles[0] ?? null };
    for (const q of new Set([GENERAL_QUEUE, queue])) {
      await this.bus.publish(topics.queue(q), { type: 'support.case_opened', queue: q, conversation, creator, firstMessage: message });
    }
    return { conversation, firstMessage: message, staff, queue };
  }
}
