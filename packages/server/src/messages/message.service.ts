import type { Actor, UserActor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import type { Conversation, Json, Message, Participant, Reaction } from '../core/model.js';
import type { Logger } from 'pino';
import type { TypingService } from '../typing/typing.service.js';
import { topics, type DomainEvent } from '../bus/domain-event.js';
import type { ConversationAccess } from '../conversations/conversation-access.js';
import type { Policy } from '../policy/policy.js';
import type { AccessFacts, ConversationJob, NewJob, Store } from '../storage/store.js';
import type { SendRateLimit } from '../limits/send-rate-limit.js';
import type { AttachmentService } from '../attachments/attachment.service.js';
import type { MessageJob } from '../jobs/message-job.js';
import type { ChangeJobs } from '../jobs/change-jobs.js';
import type { AfterCommitPublisher } from './after-commit-publisher.js';
import { visibleTo } from '../core/message-visibility.js';
import type { ModerationService } from '../moderation/moderation.service.js';
import type { PreSendCheck } from '../webhooks/pre-send-hook.js';

/** What sending, editing and reading ask of moderation. */
export type MessageModeration = Pick<ModerationService, 'checkSend' | 'checkEdit' | 'checkReact' | 'viewerOf'>;

export interface SendMessageInput {
  readonly content: string;
  readonly kind?: string;
  readonly clientId?: string | null;
  readonly replyTo?: string | null;
  readonly metadata?: Json;
  /** Ids of the sender's uploads (`POST /v1/uploads`) to attach. */
  readonly attachmentIds?: readonly string[];
}

export interface SendResult {
  readonly message: Message;
  /** False for a retry whose `clientId` matched an earlier message: nothing new was written. */
  readonly created: boolean;
}

/** Kinds only the server itself writes (lifecycle notes, joins). */
const SERVER_KINDS = new Set(['system']);
/** The shape of a message kind on every transport (`text`, `image`, `status_update`…). */
const KIND_PATTERN = /^[a-z_]{1,32}$/;
const CLOSED_STATUSES = new Set(['closed', 'CLOSED', 'archived']);

/** A reader's position after a read: their pointer and what is left unread. */
export interface ReadState {
  readonly participant: Participant;
  readonly unreadCount: number;
}

/** What a committed message may still owe, and where trouble after the commit is told. */
export interface MessageFollowUps {
  /** Side effects a message may owe; each one it needs becomes an outbox job written with it. */
  readonly jobs: readonly MessageJob[];
  /**
   * Called after a commit that wrote jobs, so a local runner starts them when due (now, or
   * after `delayMs` for coalesced ones), not at its next poll.
   */
  readonly jobsWritten: (delayMs?: number) => void;
  /** Where failures after the commit go: they are logged, never thrown at the sender. */
  readonly logger: Pick<Logger, 'warn'>;
  /** A message ends its sender's typing indicator, whichever transport sent it. */
  readonly typing: Pick<TypingService, 'stopIfTyping'>;
  /** The outbox jobs an edit or a delete owes (webhook events). @default none */
  readonly changes?: ChangeJobs;
  /** Side effects a read owes (ending notifications about what was read); written with the pointer's move. */
  readonly readJobs?: (conversationId: string, userId: string, seq: number) => NewJob[];
}

/** Sending, paging, receipts, edits and deletes of messages. */
export class MessageService {
  constructor(
    private readonly store: Store,
    /** Every event here reports a committed change, so none may fail the call. */
    private readonly publisher: AfterCommitPublisher,
    private readonly policy: Policy,
    private readonly access: ConversationAccess,
    private readonly limits: { readonly maxMessageLength: number },
    private readonly rateLimit: SendRateLimit,
    private readonly uploads: AttachmentService,
    private readonly followUps: MessageFollowUps,
    /** Bans, mutes, slow mode, the blocklist and blocks: asked before anything is written. */
    private readonly moderation: MessageModeration,
    /** The operator's pre-send hook (PRE_SEND_HOOK_URL), asked after the checks and before moderation. */
    private readonly preSend?: PreSendCheck,
  ) {}

  /**
   * Commits the message (with its seq and the outbox jobs it owes) and only then publishes it,
   * so anyone who hears of a message can also read it. Nothing after the commit can fail the
   * send: publication and upload bookkeeping only log, and the side effects run as jobs. A
   * retried `clientId` returns the original and writes and publishes nothing.
   */
  async send(actor: Actor, conversationId: string, input: SendMessageInput, origin?: string): Promise<SendResult> {
    if (actor.kind !== 'user') throw new AppError('forbidden', 'Sending needs a user token');
    const { conversation } = await this.access.writeFacts(actor, conversationId);
    await this.rateLimit.consume(actor.user.id);
    const uploadIds = input.attachmentIds ?? [];
    const kind = input.kind ?? (uploadIds.length > 0 ? 'file' : 'text');
    if (!KIND_PATTERN.test(kind)) throw invalid('/kind', 'must be 1-32 lowercase letters or underscores');
    this.checkContent(input.content, kind, uploadIds.length > 0);
    if (SERVER_KINDS.has(kind)) throw invalid('/kind', `kind "${kind}" is reserved for the server`);
    if (CLOSED_STATUSES.has(conversation.status)) throw new AppError('conversation_closed');
    if (input.replyTo != null) {
      const target = await this.store.messages.byId(input.replyTo);
      if (!target || target.conversationId !== conversationId) throw invalid('/reply_to', 'no such message in this conversation');
    }
    const vetted = await this.vetted(actor, conversation, input, kind, uploadIds);
    const verdict = await this.moderation.checkSend(actor, conversation, vetted.content);
    // Bound before the append, so the unclaimed-upload purge (which takes only unbound uploads)
    // can never delete a file a committed message carries.
    const attachments = await this.uploads.claim(actor, conversationId, uploadIds);
    const storedKind = input.kind ?? (attachments.length > 0 && attachments.every((a) => a.contentType.startsWith('image/')) ? 'image' : kind);
    const owed = this.jobsFor(conversation, { senderId: actor.user.id, kind: storedKind });
    const jobs = [...owed.jobs, ...verdict.jobs];
    let result: SendResult;
    try {
      result = await this.store.messages.append({
        conversationId,
        senderId: actor.user.id,
        kind: storedKind,
        content: verdict.content,
        attachments,
        replyTo: input.replyTo ?? null,
        metadata: vetted.metadata,
        clientId: input.clientId ?? null,
        jobs,
        conversationJobs: owed.conversationJobs,
        ...(verdict.shadowed && { shadowed: true }),
      });
    } catch (error) {
      await this.uploads.release(uploadIds).catch((err: unknown) => this.followUps.logger.warn({ err, conversationId, uploadIds }, 'could not release the uploads of a failed send'));
      throw error;
    }
    if (result.created && jobs.length > 0) this.followUps.jobsWritten();
    if (result.created && owed.conversationJobs.length > 0) this.followUps.jobsWritten(Math.min(...owed.conversationJobs.map((job) => job.delayMs)));
    await this.settleUploads(uploadIds, result);
    // A shadowed message is told live to its sender alone; the others meet its tombstone on sync.
    if (result.created) await this.publishCreated(result.message, origin, result.message.shadowed ? [actor.user.id] : undefined);
    await this.followUps.typing.stopIfTyping(conversationId, actor.user.id).catch((err: unknown) => this.followUps.logger.warn({ err, conversationId }, 'could not end the sender’s typing indicator'));
    return { ...result, message: visibleTo(result.message, this.moderation.viewerOf(actor)) };
  }

  /**
   * The content and metadata to store, as the pre-send hook leaves them (the draft's own when no
   * hook is configured). A retry of a message already written is not asked again: the append
   * returns the original whatever the hook would say now. A modified text obeys the same content
   * rule, and moderation's checks then run on it.
   */
  private async vetted(actor: UserActor, conversation: AccessFacts['conversation'], input: SendMessageInput, kind: string, uploadIds: readonly string[]): Promise<{ content: string; metadata: Json }> {
    const draft = { content: input.content, metadata: input.metadata ?? {} };
    if (!this.preSend) return draft;
    if (input.clientId != null && (await this.store.messages.byClientId(actor.user.id, conversation.id, input.clientId))) return draft;
    const outcome = await this.preSend.vet({ kind, ...draft, replyTo: input.replyTo ?? null, clientId: input.clientId ?? null, attachmentIds: uploadIds }, actor.user, conversation);
    if (outcome.content !== draft.content) this.checkContent(outcome.content, kind, uploadIds.length > 0);
    return outcome;
  }

  /** The outbox jobs a message of this sender in this conversation owes, as the append takes them: kinds of its own, and coalesced ones. */
  jobsFor(conversation: AccessFacts['conversation'], message: { senderId: string; kind: string }): { jobs: string[]; conversationJobs: ConversationJob[] } {
    const needed = this.followUps.jobs.filter((job) => job.needs(conversation, message));
    return {
      jobs: needed.filter((job) => job.coalesce === undefined).map((job) => job.kind),
      conversationJobs: needed.flatMap((job) => (job.coalesce === undefined ? [] : [{ kind: job.kind, delayMs: job.coalesce.delayMs(conversation) }])),
    };
  }

  /**
   * Records which message carries the uploads, or gives them back to a retry that wrote nothing.
   * The message is committed either way, so a failure is logged, not thrown: a bound upload
   * without its message id stays bound (the purge never takes it) and is served as before.
   */
  private async settleUploads(uploadIds: readonly string[], result: SendResult): Promise<void> {
    if (uploadIds.length === 0) return;
    try {
      if (result.created) await this.uploads.setMessage(uploadIds, result.message.id);
      else await this.uploads.release(uploadIds);
    } catch (err) {
      this.followUps.logger.warn({ err, messageId: result.message.id, uploadIds }, 'upload bookkeeping after a committed send failed');
    }
  }

  /** Announces a message another change committed with itself (a case's note). Cannot fail. */
  async announceCreated(message: Message): Promise<void> {
    await this.publishCreated(message);
  }

  /**
   * A server-written message (lifecycle notes, the host app's business events); skips participant
   * checks. Its kind is always `system`: clients can never write one (`SERVER_KINDS`), so a
   * message of that kind is known to come from the server. Publishing cannot fail it.
   */
  async sendSystem(conversationId: string, content: string, metadata: Json = {}): Promise<Message> {
    const { message } = await this.store.messages.append({ conversationId, senderId: null, kind: 'system', content, metadata });
    await this.publishCreated(message);
    return message;
  }

  async page(actor: Actor, conversationId: string, query: { beforeSeq?: number; afterSeq?: number; limit: number; maxBytes?: number }) {
    await this.access.read(actor, conversationId);
    const page = await this.store.messages.page({ conversationId, ...query });
    return { ...page, messages: await this.forReaders(actor, page.messages, conversationId) };
  }

  /** Offset paging, newest first window returned oldest first (for protocols that page with skip). */
  async window(actor: Actor, conversationId: string, skip: number, limit: number, maxBytes?: number): Promise<Message[]> {
    await this.access.read(actor, conversationId);
    return this.forReaders(actor, await this.store.messages.window(conversationId, skip, limit, maxBytes), conversationId);
  }

  /** Messages of one conversation by id, as this reader sees them (for replies shown inline). */
  async some(actor: Actor, conversationId: string, messageIds: readonly string[]): Promise<Message[]> {
    await this.access.read(actor, conversationId);
    if (messageIds.length === 0) return [];
    const found = (await this.store.messages.byIds(messageIds)).filter((m) => m.conversationId === conversationId);
    return this.forReaders(actor, found);
  }

  /**
   * Reads up to one message named by id alone. A message in a conversation the caller may not
   * write is `message_not_found`, exactly as one that does not exist.
   */
  async markReadById(actor: Actor, messageId: string, origin?: string): Promise<ReadState & { conversationId: string }> {
    const message = await this.store.messages.byId(messageId);
    if (!message) throw new AppError('message_not_found');
    const state = await this.markReadUpTo(actor, message.conversationId, messageId, origin).catch((error: unknown) => {
      throw error instanceof AppError && error.code === 'conversation_not_found' ? new AppError('message_not_found') : error;
    });
    return { ...state, conversationId: message.conversationId };
  }

  /**
   * Reads the given messages, wherever they are: each conversation's pointer moves to the newest
   * of them. Messages the caller cannot write to (unknown, or not theirs) are skipped, so the
   * answer tells nothing about them. Returns how many messages were in the caller's conversations.
   */
  async markReadByIds(actor: Actor, messageIds: readonly string[]): Promise<number> {
    const byConversation = new Map<string, string[]>();
    for (const m of await this.store.messages.byIds([...new Set(messageIds)])) byConversation.set(m.conversationId, [...(byConversation.get(m.conversationId) ?? []), m.id]);
    let marked = 0;
    for (const [conversationId, ids] of byConversation) {
      const writable = await this.access.write(actor, conversationId).then(() => true, () => false);
      if (!writable) continue;
      await this.markReadMessages(actor, conversationId, ids);
      marked += ids.length;
    }
    return marked;
  }

  /**
   * Adds or removes the caller's reaction and tells the room. Reacting again with the same
   * emoji, or removing one that is not there, changes nothing and announces nothing.
   */
  async react(actor: Actor, conversationId: string, messageId: string, emoji: string, add: boolean): Promise<readonly Reaction[]> {
    const message = await this.messageForWrite(actor, conversationId, messageId);
    if (message.deletedAt !== null) throw new AppError('message_not_found', 'The message was deleted');
    if (visibleTo(message, this.moderation.viewerOf(actor)).hidden) throw new AppError('message_not_found', 'The message was hidden');
    if (actor.kind === 'user') await this.moderation.checkReact(actor, conversationId);
    const userId = actorUser(actor);
    const changed = add ? await this.store.reactions.add(messageId, userId, emoji) : await this.store.reactions.remove(messageId, userId, emoji);
    const reactions = (await this.store.reactions.forMessages([messageId])).get(messageId) ?? [];
    if (changed) {
      await this.publish(topics.conversation(conversationId), { type: 'reaction.changed', conversationId, messageId, userId, emoji, added: add, reactions });
    }
    return reactions;
  }

  /**
   * What this reader sees: deleted messages lose content and attachments, hidden and shadowed
   * ones are tombstones unless the reader may see them (`visibleTo`); reactions are attached.
   * Given `pageOf`, `messages` are a page of that conversation in seq order, and the reactions
   * are read by the page's seq range.
   */
  private async forReaders(actor: Actor, messages: readonly Message[], pageOf?: string): Promise<Message[]> {
    const viewer = this.moderation.viewerOf(actor);
    const seen = messages.map((m) => visibleTo(m, viewer));
    const reactions = pageOf !== undefined && seen.length > 0
      ? await this.store.reactions.forSeqRange(pageOf, seen[0]!.seq, seen.at(-1)!.seq)
      : await this.store.reactions.forMessages(seen.filter((m) => m.deletedAt === null && !m.hidden).map((m) => m.id));
    return seen.map((m) => (m.deletedAt !== null ? { ...m, content: '', attachments: [], reactions: [] } : m.hidden ? m : { ...m, reactions: reactions.get(m.id) ?? [] }));
  }

  /** Moves the caller's read pointer forward to `seq` (or to the end) and tells the others. */
  async markRead(actor: Actor, conversationId: string, seq: number | undefined, options: { origin?: string } = {}): Promise<ReadState> {
    const { conversation } = await this.access.write(actor, conversationId);
    return this.moveReadPointer(conversation, actorUser(actor), seq ?? conversation.lastSeq, options);
  }

  /** Reads up to a message by id: the pointer moves to that message's seq. */
  async markReadUpTo(actor: Actor, conversationId: string, messageId: string, origin?: string): Promise<ReadState> {
    const { conversation } = await this.access.write(actor, conversationId);
    const message = await this.store.messages.byId(messageId);
    if (!message || message.conversationId !== conversationId) throw new AppError('message_not_found');
    return this.moveReadPointer(conversation, actorUser(actor), message.seq, { messageId, ...(origin !== undefined && { origin }) });
  }

  /** Reads up to the newest of the given messages of this conversation (all when none given). */
  async markReadMessages(actor: Actor, conversationId: string, messageIds: readonly string[] | undefined, origin?: string): Promise<ReadState> {
    const { conversation } = await this.access.write(actor, conversationId);
    let seq = conversation.lastSeq;
    if (messageIds !== undefined && messageIds.length > 0) {
      const own = (await this.store.messages.byIds(messageIds)).filter((m) => m.conversationId === conversationId);
      if (own.length === 0) throw new AppError('message_not_found');
      seq = Math.max(...own.map((m) => m.seq));
    }
    return this.moveReadPointer(conversation, actorUser(actor), seq, { ...(messageIds !== undefined && { messageIds }), ...(origin !== undefined && { origin }) });
  }

  /** The one place a read pointer moves and the move is announced; access is checked by the caller. */
  private async moveReadPointer(conversation: Conversation, userId: string, seq: number, details: { messageId?: string; messageIds?: readonly string[]; origin?: string }): Promise<ReadState> {
    const jobs = this.followUps.readJobs?.(conversation.id, userId, Math.min(seq, conversation.lastSeq)) ?? [];
    const participant = await this.store.conversations.markRead(conversation.id, userId, seq, jobs);
    if (jobs.length > 0) this.followUps.jobsWritten();
    await this.publish(topics.conversation(conversation.id), {
      type: 'receipt.read',
      conversationId: conversation.id,
      userId,
      seq: participant.lastReadSeq,
      ...(details.messageId !== undefined && { messageId: details.messageId }),
      ...(details.messageIds !== undefined && { messageIds: details.messageIds }),
      ...(details.origin !== undefined && { origin: details.origin }),
    });
    return { participant, unreadCount: Math.max(0, conversation.lastSeq - participant.lastReadSeq) };
  }

  async markDelivered(actor: Actor, conversationId: string, seq: number): Promise<Participant> {
    await this.access.write(actor, conversationId);
    const before = await this.store.conversations.participant(conversationId, actorUser(actor));
    const participant = await this.store.conversations.markDelivered(conversationId, actorUser(actor), seq);
    if (participant.lastDeliveredSeq !== before?.lastDeliveredSeq) {
      await this.publish(topics.conversation(conversationId), { type: 'receipt.delivered', conversationId, userId: participant.userId, seq: participant.lastDeliveredSeq });
    }
    return participant;
  }

  /** The author edits their own message; the old text is not kept. */
  async edit(actor: Actor, conversationId: string, messageId: string, content: string): Promise<Message> {
    const message = await this.ownMessage(actor, conversationId, messageId);
    this.checkContent(content, message.kind, message.attachments.length > 0);
    if (message.hidden) throw new AppError('forbidden', 'A moderator hid this message; it cannot be edited');
    const stored = actor.kind === 'user' ? await this.moderation.checkEdit(actor, conversationId, content) : content;
    const updated = await this.store.messages.update(messageId, { content: stored, editedAt: new Date().toISOString() }, this.owed('message.updated', messageId));
    await this.publishUpdated(updated);
    return updated;
  }

  /** The author deletes their own message; moderators may delete anyone's. Content is erased. */
  async delete(actor: Actor, conversationId: string, messageId: string): Promise<Message> {
    const message = await this.messageForWrite(actor, conversationId, messageId);
    const moderator = actor.kind === 'service' || this.policy.can({ kind: 'user', roles: actor.user.roles }, 'messages.moderate');
    if (!moderator && message.senderId !== actorUser(actor)) throw new AppError('forbidden', 'You can only delete your own messages');
    if (message.deletedAt !== null) return message;
    const patch = { content: '', deletedAt: new Date().toISOString() };
    const by = actor.kind === 'user' ? actor.user.id : null;
    // Deleting someone else's message is a moderator's action: audited, with its reports settled, in one go.
    const updated =
      message.senderId === by
        ? await this.store.messages.update(messageId, patch, this.owed('message.deleted', messageId))
        : (
            await this.store.moderation.actOnMessage({
              messageId,
              patch,
              resolveReports: 'actioned',
              by,
              audit: { actorId: by, action: 'delete', targetType: 'message', targetId: messageId, reason: null, params: { conversation_id: conversationId, sender_id: message.senderId } },
              jobs: this.owed('message.deleted', messageId),
            })
          ).message;
    await this.publishUpdated(updated);
    return updated;
  }

  /** The jobs a change to a message owes beyond the message's own (its webhook event). */
  private owed(type: string, messageId: string) {
    return this.followUps.changes?.for({ type, subjectId: messageId }) ?? [];
  }

  private async ownMessage(actor: Actor, conversationId: string, messageId: string): Promise<Message> {
    const message = await this.messageForWrite(actor, conversationId, messageId);
    if (message.senderId !== actorUser(actor)) throw new AppError('forbidden', 'You can only edit your own messages');
    if (message.deletedAt !== null) throw new AppError('message_not_found', 'The message was deleted');
    return message;
  }

  private async messageForWrite(actor: Actor, conversationId: string, messageId: string): Promise<Message> {
    // Access first, so a stranger learns nothing about which message ids exist.
    await this.access.write(actor, conversationId);
    const message = await this.store.messages.byId(messageId);
    if (!message || message.conversationId !== conversationId) throw new AppError('message_not_found');
    return message;
  }

  /** The content rule every writer obeys: not blank (unless it carries attachments), not too long. */
  checkContent(content: string, kind: string, hasAttachments: boolean): void {
    if (content.trim() === '' && !hasAttachments && kind !== 'location') throw invalid('/content', 'must not be empty');
    if (content.length > this.limits.maxMessageLength) throw invalid('/content', `must be at most ${this.limits.maxMessageLength} characters`);
  }

  /** Every publication here follows a commit: it logs and counts a failure, never throws (see AfterCommitPublisher). */
  private publish(topic: string, event: DomainEvent): Promise<void> {
    return this.publisher.publish(topic, event);
  }

  private async publishCreated(message: Message, origin?: string, onlyTo?: readonly string[]): Promise<void> {
    await this.publish(topics.conversation(message.conversationId), {
      type: 'message.created',
      conversationId: message.conversationId,
      message,
      ...(origin !== undefined && { origin }),
      ...(onlyTo !== undefined && { onlyTo }),
    });
  }

  /** Edits and deletes of a shadowed message, like the message itself, reach its sender alone. */
  private async publishUpdated(message: Message): Promise<void> {
    const { conversationId } = message;
    if (message.shadowed && !message.hidden && message.senderId !== null) {
      await this.publish(topics.conversation(conversationId), { type: 'message.updated', conversationId, message: { ...message, shadowed: false }, onlyTo: [message.senderId] });
      return;
    }
    await this.publish(topics.conversation(conversationId), { type: 'message.updated', conversationId, message: visibleTo(message, { userId: undefined, moderator: false }) });
  }
}

function actorUser(actor: Actor): string {
  if (actor.kind !== 'user') throw new AppError('forbidden', 'This needs a user token');
  return actor.user.id;
}

function invalid(path: string, message: string): AppError {
  return new AppError('validation_failed', `${path.slice(1)} ${message}`, [{ path, message }]);
}
