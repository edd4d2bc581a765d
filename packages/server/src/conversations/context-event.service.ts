import type { Actor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import type { ConversationContext, Json, Message } from '../core/model.js';
import type { MessageService } from '../messages/message.service.js';
import type { Policy } from '../policy/policy.js';
import type { ConversationService, EnsureContextInput } from './conversation.service.js';

/** The kinds of business event a host app reports about one of its objects. */
export type ContextEventKind = 'bid_update' | 'status_update' | 'system';

export interface ContextEventInput {
  readonly kind: ContextEventKind;
  readonly content: string;
  /** The event's facts (bid id, amount, new status…), kept as the message's `system_data`. */
  readonly data?: Json;
  /** Used only when this event creates the object's conversation. */
  readonly create?: Omit<EnsureContextInput, 'participants'> & { readonly participants?: EnsureContextInput['participants'] };
}

export interface ContextEventResult {
  readonly message: Message;
  /** True when the object had no conversation yet and this event created it. */
  readonly created: boolean;
  readonly conversationId: string;
}

/**
 * Business events from the host app (a bid accepted, a job's status changed): each becomes a
 * `system` message in the object's conversation, with the event's kind and data in its metadata
 * (`event_kind`, `system_data`), and reaches every participant live on every transport as any
 * message does. The conversation is created from the host's registration if it has none yet;
 * an existing one keeps its membership (the registration `PUT` is what changes who is in it).
 */
export class ContextEventService {
  constructor(
    private readonly conversations: ConversationService,
    private readonly messages: MessageService,
    private readonly policy: Policy,
  ) {}

  async post(actor: Actor, context: ConversationContext, input: ContextEventInput): Promise<ContextEventResult> {
    // The host's facts about its own objects: only its backend, or the deployment's managers.
    if (actor.kind === 'user' && !this.policy.can({ kind: 'user', roles: actor.user.roles }, 'conversations.manage')) {
      throw new AppError('forbidden', 'Only the host app (API key) or a role with conversations.manage may post business events');
    }
    this.messages.checkContent(input.content, 'system', false);
    const { conversation, created } = await this.conversations.ensureForContext(actor, context, {
      type: input.create?.type ?? context.type,
      title: input.create?.title ?? null,
      ...(input.create?.metadata !== undefined && { metadata: input.create.metadata }),
      // An existing room's people stand; the list only seeds a room this event creates.
      ...(input.create?.participants !== undefined && { participants: input.create.participants }),
    }, { onlyWhenCreating: true });
    const message = await this.messages.sendSystem(conversation.id, input.content, { event_kind: input.kind, system_data: input.data ?? {} });
    return { message, created, conversationId: conversation.id };
  }
}
