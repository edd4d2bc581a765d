import type { Actor, ServiceActor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import type { Conversation, ConversationContext, Participant } from '../core/model.js';
import type { Store } from '../storage/store.js';
import { unreadable } from './conversation-access.js';
import type { ConversationService } from './conversation.service.js';
import type { HostAccess } from './host-access.js';

/** Who writes the memberships the host's answers imply: the host app itself, as it would by API key. */
const HOST: ServiceActor = { kind: 'service', keyId: 'host-access' };

export interface Entry {
  readonly conversation: Conversation;
  readonly participant: Participant;
}

/**
 * Entering the conversation of a host object (a trip, a job) by the object's id, the one rule
 * for every protocol that names objects rather than conversations.
 *
 * - Without a host access check, a user enters only as a participant the host app registered
 *   (`PUT /v1/conversations/by-context/{type}/{id}`); anything else is `conversation_not_found`,
 *   whether or not a conversation exists.
 * - With one (`HOST_ACCESS_URL`), the host is asked (`HostAccess`): allowed adds the user with
 *   the host's role, creating the conversation on first access; denied refuses, and removes a
 *   participant the host no longer lets in (their sockets leave at once); a 404 is `not_found`
 *   ("Trip not found"). When the host is down, a current participant still enters (their
 *   membership stands as recorded) and anyone else gets `host_unavailable`.
 */
export class ContextEntryService {
  constructor(
    private readonly store: Store,
    private readonly conversations: ConversationService,
    private readonly host: HostAccess | undefined,
  ) {}

  async enter(actor: Actor, context: ConversationContext): Promise<Entry> {
    if (actor.kind !== 'user') throw new AppError('forbidden', 'Entering a conversation needs a user token');
    const userId = actor.user.id;
    const existing = await this.store.conversations.byContext(context);
    const participant = existing && current(await this.store.conversations.participant(existing.id, userId));
    if (this.host === undefined) {
      if (!existing || !participant) throw unreadable();
      return { conversation: existing, participant };
    }
    let answer;
    try {
      answer = await this.host.ask(userId, context);
    } catch (error) {
      if (existing && participant && error instanceof AppError && error.code === 'host_unavailable') return { conversation: existing, participant };
      throw error;
    }
    if (answer.kind === 'unknown') throw new AppError('not_found', `${label(context.type)} not found`);
    if (answer.kind === 'denied') {
      if (existing && participant) await this.conversations.removeParticipant(HOST, existing.id, userId);
      throw unreadable();
    }
    if (existing && participant) {
      // The host's role is the newest statement of it (a passenger who now drives).
      if (participant.role === answer.role) return { conversation: existing, participant };
      return { conversation: existing, participant: await this.store.conversations.addParticipant(existing.id, userId, answer.role) };
    }
    const { conversation } = existing
      ? { conversation: existing }
      : await this.conversations.ensureForContext(HOST, context, { type: context.type, title: null });
    await this.conversations.addParticipant(HOST, conversation.id, userId, answer.role);
    const joined = current(await this.store.conversations.participant(conversation.id, userId));
    if (!joined) throw unreadable();
    return { conversation, participant: joined };
  }
}

/** `trip` → `Trip`, `move_job` → `Move job`: how an unknown object is named to the caller. */
function label(type: string): string {
  const words = type.replace(/[_.:-]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function current(participant: Participant | undefined): Participant | undefined {
  return participant && participant.leftAt === null ? participant : undefined;
}
