import type { Actor, UserActor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import { decodeCursor, encodeCursor } from '../core/opaque-cursor.js';
import type { Message } from '../core/model.js';
import { visibleTo, type Viewer } from '../core/message-visibility.js';
import { topics } from '../bus/domain-event.js';
import type { ConversationAccess } from '../conversations/conversation-access.js';
import type { AfterCommitPublisher } from '../messages/after-commit-publisher.js';
import type { Policy } from '../policy/policy.js';
import type {
  AccessFacts,
  AuditEntry,
  BlocklistAction,
  BlocklistTerm,
  MessageReport,
  QueuePosition,
  ReportedMessage,
  ReportJobs,
  ReportState,
  Restriction,
  RestrictionKind,
  Store,
} from '../storage/store.js';
import type { MessageJob } from '../jobs/message-job.js';
import { NO_CHANGE_JOBS, type ChangeJobs } from '../jobs/change-jobs.js';
import { BlocklistMatcher, normaliseTerm } from './blocklist-matcher.js';

/** The event each moderator action on a message reports (a dismissal changes no message). */
const ACTION_EVENTS: Readonly<Record<string, string | undefined>> = { hide: 'message.hidden', unhide: 'message.updated', delete: 'message.deleted' };
import type { SlowMode } from './slow-mode.js';

export interface ModerationOptions {
  /** Distinct reporters that hide a message until a moderator looks. */
  readonly autoHideReports: number;
  /** How long the blocklist and each sender's restrictions are kept in memory, in ms. */
  readonly moderationCacheMs: number;
}

/** What moderation lets through of a message about to be written. */
export interface SendVerdict {
  /** The content to store (masked terms starred out). */
  readonly content: string;
  /** Sent under a shadow ban: only its sender (and moderators) will see it. */
  readonly shadowed: boolean;
  /** Outbox jobs the message owes because of moderation (a flagged term files a report). */
  readonly jobs: readonly string[];
}

export type ModeratorAction = 'hide' | 'unhide' | 'delete' | 'dismiss';

export interface RestrictInput {
  readonly userId: string;
  readonly conversationId?: string | null;
  readonly durationSeconds?: number | null;
  readonly reason: string;
  readonly shadow?: boolean;
}

/** One line of the review queue as a moderator sees it. */
export interface ReviewItem extends ReportedMessage {
  readonly message: Message;
  readonly reporterIds: readonly string[];
  readonly reasons: Readonly<Record<string, number>>;
}

const FLAG_JOB = 'moderation.blocklist_flag';
/** Senders whose restrictions a node remembers at most; past it the cache starts over. */
const RESTRICTION_CACHE_USERS = 50_000;
/** Abilities whose holders are staff: slow mode never applies to them. */
const STAFF_ABILITIES = ['messages.moderate', 'support.handle', 'support.monitor', 'conversations.manage'] as const;

/**
 * Reports and the review queue, moderator actions, bans and mutes, slow mode, the blocklist and
 * blocks between users, each action with its audit line. Every send path asks `checkSend`
 * (through `MessageService`), so a rule here holds on every transport.
 */
export class ModerationService {
  private blocklistCache: { matcher: BlocklistMatcher; loadedAt: number } | undefined;
  /** Each recent sender's bans and mutes in force, everywhere: asked on every send. */
  private readonly restrictionCache = new Map<string, { restrictions: readonly Restriction[]; loadedAt: number }>();
  /** Moves on every ban and lift here, so a load that raced one is not kept. */
  private restrictionGeneration = 0;

  constructor(
    private readonly store: Store,
    /** Every event here reports a committed change, so none may fail the call. */
    private readonly publisher: AfterCommitPublisher,
    private readonly policy: Policy,
    private readonly access: ConversationAccess,
    private readonly slowMode: SlowMode,
    private readonly options: ModerationOptions,
    /** The outbox jobs each change owes beyond moderation's own (webhook events). */
    private readonly changes: ChangeJobs = NO_CHANGE_JOBS,
  ) {}

  /** A host app's backend and holders of `messages.moderate`. */
  isModerator(actor: Actor): boolean {
    return actor.kind === 'service' || this.policy.can({ kind: 'user', roles: actor.user.roles }, 'messages.moderate');
  }

  /** What `visibleTo` needs to know of the caller. */
  viewerOf(actor: Actor): Viewer {
    return { userId: actor.kind === 'user' ? actor.user.id : undefined, moderator: this.isModerator(actor) };
  }

  // ── the send path ────────────────────────────────────────────────────────────────────────────

  /**
   * Whether the sender may post this content here, and in what form: refused while banned or
   * muted (`banned`, `muted`), in a direct conversation with someone who blocked them
   * (`user_blocked`), for a blocked term (`blocked_content`) or within the slow-mode cooldown
   * (`slow_mode`, spent last so a refused message costs no cooldown).
   */
  async checkSend(actor: UserActor, conversation: AccessFacts['conversation'], content: string): Promise<SendVerdict> {
    const restrictions = await this.mayWrite(actor, conversation.id);
    if (conversation.type === 'direct') await this.checkBlocks(actor.user.id, conversation.id);
    const verdict = (await this.matcher()).check(content);
    if (verdict.action === 'block') throw new AppError('blocked_content');
    if (conversation.slowModeSeconds > 0 && !this.isStaff(actor)) await this.slowMode.consume(conversation.id, actor.user.id, conversation.slowModeSeconds);
    return { content: verdict.content, shadowed: restrictions.some((r) => r.kind === 'ban' && r.shadow), jobs: verdict.action === 'flag' ? [FLAG_JOB] : [] };
  }

  /** For edits: the same bans, mutes and blocklist, no cooldown. Returns the content to store. */
  async checkEdit(actor: UserActor, conversationId: string, content: string): Promise<string> {
    await this.mayWrite(actor, conversationId);
    const verdict = (await this.matcher()).check(content);
    if (verdict.action === 'block') throw new AppError('blocked_content');
    return verdict.content;
  }

  /**
   * For the first message of a conversation that does not exist yet (a support case's request):
   * an open ban everywhere and the blocklist apply; under a shadow ban everywhere the message is
   * written shadowed. Returns the content to store and whether it is shadowed.
   */
  async checkOpening(actor: UserActor, content: string): Promise<{ content: string; shadowed: boolean }> {
    const restrictions = (await this.restrictionsOf(actor.user.id, '')).filter((r) => r.conversationId === null);
    const ban = restrictions.find((r) => r.kind === 'ban' && !r.shadow);
    if (ban) throw new AppError('banned', 'You are banned from sending messages', { until: ban.until });
    const verdict = (await this.matcher()).check(content);
    if (verdict.action === 'block') throw new AppError('blocked_content');
    return { content: verdict.content, shadowed: restrictions.some((r) => r.kind === 'ban' && r.shadow) };
  }

  /** Reacting is speaking too: refused while banned (openly) or muted. */
  async checkReact(actor: UserActor, conversationId: string): Promise<void> {
    await this.mayWrite(actor, conversationId);
  }

  /** Throws for an open ban or a mute in force; returns the restrictions (a shadow ban lets the write through). */
  private async mayWrite(actor: UserActor, conversationId: string): Promise<Restriction[]> {
    const restrictions = await this.restrictionsOf(actor.user.id, conversationId);
    const ban = restrictions.find((r) => r.kind === 'ban' && !r.shadow);
    if (ban) throw new AppError('banned', ban.conversationId === null ? 'You are banned from sending messages' : undefined, { until: ban.until });
    const mute = restrictions.find((r) => r.kind === 'mute');
    if (mute) throw new AppError('muted', undefined, { until: mute.until });
    return restrictions;
  }

  /**
   * The user's restrictions in force here (everywhere, or in this conversation), from memory for
   * `moderationCacheMs`: a ban or a lift made on this node applies at once (the entry is
   * dropped), one made on another node within that time. Expiry is checked on every use.
   */
  private async restrictionsOf(userId: string, conversationId: string): Promise<Restriction[]> {
    const at = new Date().toISOString();
    let entry = this.restrictionCache.get(userId);
    if (!entry || Date.now() - entry.loadedAt >= this.options.moderationCacheMs) {
      const generation = this.restrictionGeneration;
      entry = { restrictions: await this.store.moderation.restrictionsInForce(userId, at), loadedAt: Date.now() };
      if (generation === this.restrictionGeneration) {
        if (this.restrictionCache.size >= RESTRICTION_CACHE_USERS) this.restrictionCache.clear();
        this.restrictionCache.set(userId, entry);
      }
    }
    return entry.restrictions.filter((r) => (r.conversationId === null || r.conversationId === conversationId) && (r.until === null || r.until > at));
  }

  /** After a ban or lift commits; the generation keeps a load that raced it from being kept. */
  private forgetRestrictions(userId: string): void {
    this.restrictionGeneration++;
    this.restrictionCache.delete(userId);
  }

  private async checkBlocks(senderId: string, conversationId: string): Promise<void> {
    const others = (await this.store.conversations.participants(conversationId)).map((p) => p.userId).filter((id) => id !== senderId);
    if ((await this.store.moderation.blockersAmong(senderId, others)).length > 0) throw new AppError('user_blocked');
  }

  private isStaff(actor: UserActor): boolean {
    return STAFF_ABILITIES.some((ability) => this.policy.can({ kind: 'user', roles: actor.user.roles }, ability));
  }

  private async matcher(): Promise<BlocklistMatcher> {
    const cached = this.blocklistCache;
    if (cached && Date.now() - cached.loadedAt < this.options.moderationCacheMs) return cached.matcher;
    const matcher = new BlocklistMatcher(await this.store.moderation.blocklist());
    this.blocklistCache = { matcher, loadedAt: Date.now() };
    return matcher;
  }

  /** The outbox job a flagged message owes: it files the server's report once committed. */
  flagJob(): MessageJob {
    return {
      kind: FLAG_JOB,
      // Planned by `checkSend`, never from the conversation alone.
      needs: () => false,
      handle: async (job) => {
        const message = await this.store.messages.byId(job.subjectId);
        if (!message) return;
        const matched = (await this.matcher()).check(message.content).matched;
        const outcome = await this.store.moderation.report(
          { messageId: message.id, conversationId: message.conversationId, reporterId: 'system:blocklist', reason: 'blocklist', note: matched.length > 0 ? `matched: ${matched.join(', ')}` : null },
          this.options.autoHideReports,
          this.reportJobs(message),
        );
        if (outcome.created) await this.announceReport(outcome.report, outcome.message, outcome.openReporters);
      },
    };
  }

  // ── reports and the review queue ─────────────────────────────────────────────────────────────

  /**
   * Files the caller's report of a message they can read (one per reporter: a repeat returns
   * the first, `created: false`). Moderators are told live; at the auto-hide threshold the
   * message is hidden in the same transaction and the room is told.
   */
  async report(actor: Actor, messageId: string, input: { reason: string; note?: string | null; conversationId?: string }): Promise<{ report: MessageReport; created: boolean }> {
    if (actor.kind !== 'user') throw new AppError('forbidden', 'Reporting needs a user token');
    const message = await this.readableMessage(actor, messageId, input.conversationId);
    const outcome = await this.store.moderation.report(
      { messageId, conversationId: message.conversationId, reporterId: actor.user.id, reason: input.reason, note: input.note ?? null },
      this.options.autoHideReports,
      this.reportJobs(message),
    );
    if (outcome.created) await this.announceReport(outcome.report, outcome.message, outcome.openReporters);
    if (outcome.autoHidden) await this.announceUpdated(outcome.message);
    return { report: outcome.report, created: outcome.created };
  }

  /** A filed report's event, and the hiding it may have caused. */
  private reportJobs(message: Message): ReportJobs {
    return ({ reportId, created, autoHidden }) => [
      ...(created ? this.changes.for({ type: 'report.created', subjectId: reportId, details: { conversation_id: message.conversationId, message_id: message.id } }) : []),
      ...(autoHidden ? this.changes.for({ type: 'message.hidden', subjectId: message.id }) : []),
    ];
  }

  /** A message the caller may read; any other answers `message_not_found`, existing or not. */
  private async readableMessage(actor: Actor, messageId: string, conversationId: string | undefined): Promise<Message> {
    const message = await this.store.messages.byId(messageId);
    if (!message || (conversationId !== undefined && message.conversationId !== conversationId)) throw new AppError('message_not_found');
    try {
      await this.access.read(actor, message.conversationId);
    } catch {
      throw new AppError('message_not_found');
    }
    const seen = visibleTo(message, this.viewerOf(actor));
    if (seen.hidden && !this.isModerator(actor) && message.senderId !== (actor.kind === 'user' ? actor.user.id : undefined)) throw new AppError('message_not_found', 'The message was hidden');
    return message;
  }

  /** A page of the review queue; `cursor` is the `nextCursor` of the page before. */
  async queue(actor: Actor, query: { state: ReportState; limit: number; cursor?: string }): Promise<{ items: ReviewItem[]; nextCursor: string | null }> {
    this.requireModerator(actor);
    const after = query.cursor === undefined ? undefined : queuePosition(query.cursor);
    // One more than asked, to know whether there is a next page without a second query.
    const found = await this.store.moderation.queue({ state: query.state, limit: query.limit + 1, ...(after && { after }) });
    const groups = found.slice(0, query.limit);
    const messages = new Map((await this.store.messages.byIds(groups.map((g) => g.messageId))).map((m) => [m.id, m]));
    const items = groups.flatMap((group): ReviewItem[] => {
      const message = messages.get(group.messageId);
      if (!message) return [];
      const reasons: Record<string, number> = {};
      for (const r of group.reports) reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
      return [{ ...group, message, reporterIds: [...new Set(group.reports.map((r) => r.reporterId))], reasons }];
    });
    const last = groups[groups.length - 1];
    return { items, nextCursor: found.length > query.limit && last ? encodeCursor(QUEUE_CURSOR, `${last.firstReportedAt} ${last.messageId}`) : null };
  }

  /**
   * A moderator's decision on a reported (or any) message: `hide` (a tombstone for everyone but
   * moderators), `unhide`, `delete` (content erased for good) or `dismiss` (the reports were
   * wrong; the message stays). One transaction with the audit line; the room is told.
   */
  async act(actor: Actor, messageId: string, input: { action: ModeratorAction; reason: string }): Promise<{ message: Message; settled: number }> {
    this.requireModerator(actor);
    const current = await this.store.messages.byId(messageId);
    if (!current) throw new AppError('message_not_found');
    const patch =
      input.action === 'hide' ? { hidden: true } : input.action === 'unhide' ? { hidden: false } : input.action === 'delete' ? (current.deletedAt === null ? { content: '', deletedAt: new Date().toISOString() } : {}) : {};
    const resolveReports = input.action === 'dismiss' ? 'dismissed' : input.action === 'unhide' ? undefined : 'actioned';
    const result = await this.store.moderation.actOnMessage({
      messageId,
      patch,
      ...(resolveReports !== undefined && { resolveReports }),
      by: actorId(actor),
      audit: { actorId: actorId(actor), action: input.action, targetType: 'message', targetId: messageId, reason: input.reason, params: { conversation_id: current.conversationId, sender_id: current.senderId } },
      jobs: ACTION_EVENTS[input.action] === undefined ? [] : this.changes.for({ type: ACTION_EVENTS[input.action]!, subjectId: messageId }),
    });
    if (input.action !== 'dismiss') await this.announceUpdated(result.message);
    return result;
  }

  // ── bans, mutes and slow mode ────────────────────────────────────────────────────────────────

  /** A ban (everywhere, or in one conversation; optionally shadow) or a mute (one conversation). */
  async restrict(actor: Actor, kind: RestrictionKind, input: RestrictInput): Promise<Restriction> {
    this.requireModerator(actor);
    if (!(await this.store.users.byId(input.userId))) throw new AppError('user_not_found');
    const conversationId = input.conversationId ?? null;
    if (kind === 'mute' && conversationId === null) throw new AppError('validation_failed', 'conversation_id is required for a mute', [{ path: '/conversation_id', message: 'is required for a mute' }]);
    if (conversationId !== null && !(await this.store.conversations.byId(conversationId))) throw new AppError('conversation_not_found');
    const until = input.durationSeconds == null ? null : new Date(Date.now() + input.durationSeconds * 1000).toISOString();
    const restriction = await this.store.moderation.restrict(
      { kind, userId: input.userId, conversationId, shadow: kind === 'ban' && input.shadow === true, reason: input.reason, until, createdBy: actorId(actor) },
      { actorId: actorId(actor), action: kind, targetType: 'restriction', reason: input.reason, params: { user_id: input.userId, conversation_id: conversationId, until, shadow: input.shadow === true } },
    );
    this.forgetRestrictions(input.userId);
    return restriction;
  }

  async lift(actor: Actor, kind: RestrictionKind, id: string, reason: string | null): Promise<Restriction> {
    this.requireModerator(actor);
    const lifted = await this.store.moderation.lift(id, actorId(actor), { actorId: actorId(actor), action: `un${kind}`, targetType: 'restriction', reason, params: {} });
    if (lifted) this.forgetRestrictions(lifted.userId);
    if (!lifted || lifted.kind !== kind) throw new AppError('not_found', `No ${kind} in force with this id`);
    return lifted;
  }

  async restrictions(actor: Actor, query: { kind: RestrictionKind; userId?: string; all?: boolean; limit: number }): Promise<Restriction[]> {
    this.requireModerator(actor);
    return this.store.moderation.listRestrictions({ kind: query.kind, ...(query.userId !== undefined && { userId: query.userId }), ...(!query.all && { activeAt: new Date().toISOString() }), limit: query.limit });
  }

  /** Sets a conversation's cooldown; moderators and those who manage the conversation. Audited with the change. */
  async setSlowMode(actor: Actor, conversationId: string, seconds: number): Promise<void> {
    if (!this.isModerator(actor)) await this.access.manage(actor, conversationId);
    const conversation = await this.store.moderation.setSlowMode(conversationId, seconds, { actorId: actorId(actor), action: 'slow_mode', targetType: 'conversation', targetId: conversationId, reason: null, params: { seconds } });
    await this.publisher.publish(topics.conversation(conversationId), { type: 'conversation.updated', conversation });
  }

  // ── the blocklist ────────────────────────────────────────────────────────────────────────────

  async blocklist(actor: Actor): Promise<BlocklistTerm[]> {
    this.requireModerator(actor);
    return this.store.moderation.blocklist();
  }

  /** Replaces the terms of one action; they are stored normalised, and apply within the cache time on every node. */
  async replaceBlocklist(actor: Actor, action: BlocklistAction, terms: readonly string[], reason: string | null): Promise<BlocklistTerm[]> {
    this.requireModerator(actor);
    const normalised = terms.map(normaliseTerm);
    const empty = normalised.findIndex((t) => t === '');
    if (empty >= 0) throw new AppError('validation_failed', `terms/${empty} has no letter or digit`, [{ path: `/terms/${empty}`, message: 'has no letter or digit' }]);
    await this.store.moderation.replaceBlocklist(action, normalised, { actorId: actorId(actor), action: 'blocklist', targetType: 'blocklist', targetId: action, reason, params: { count: normalised.length } });
    this.blocklistCache = undefined;
    return this.store.moderation.blocklist();
  }

  // ── blocks between users ─────────────────────────────────────────────────────────────────────

  async block(actor: Actor, userId: string): Promise<boolean> {
    const me = requireUser(actor);
    if (userId === me) throw new AppError('validation_failed', 'You cannot block yourself', [{ path: '/userId', message: 'is you' }]);
    if (!(await this.store.users.byId(userId))) throw new AppError('user_not_found');
    return this.store.moderation.block(me, userId);
  }

  async unblock(actor: Actor, userId: string): Promise<boolean> {
    return this.store.moderation.unblock(requireUser(actor), userId);
  }

  async blocks(actor: Actor): Promise<{ userId: string; createdAt: string }[]> {
    return this.store.moderation.blocksBy(requireUser(actor));
  }

  /** Whether `userId` blocked the caller: starting a direct conversation with them is refused. */
  async assertNotBlockedBy(actor: UserActor, userIds: readonly string[]): Promise<void> {
    if ((await this.store.moderation.blockersAmong(actor.user.id, userIds)).length > 0) throw new AppError('user_blocked');
  }

  // ── the audit log ────────────────────────────────────────────────────────────────────────────

  async auditLog(actor: Actor, query: { limit: number; before?: string; actorId?: string; action?: string }): Promise<AuditEntry[]> {
    this.requireModerator(actor);
    return this.store.moderation.auditLog(query);
  }

  private requireModerator(actor: Actor): void {
    if (!this.isModerator(actor)) throw new AppError('forbidden', 'This needs the messages.moderate ability');
  }

  private async announceReport(report: MessageReport, message: Message, openReporters: number): Promise<void> {
    await this.publisher.publish(topics.moderation, { type: 'report.created', report, message, openReporters });
  }

  /** Tells the room: everyone but moderators receives the tombstone (frames are rendered once per event). */
  private async announceUpdated(message: Message): Promise<void> {
    await this.publisher.publish(topics.conversation(message.conversationId), { type: 'message.updated', conversationId: message.conversationId, message: visibleTo(message, { userId: undefined, moderator: false }) });
  }
}

function actorId(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.user.id : null;
}

function requireUser(actor: Actor): string {
  if (actor.kind !== 'user') throw new AppError('forbidden', 'This needs a user token');
  return actor.user.id;
}

const QUEUE_CURSOR = 'q1';

function queuePosition(cursor: string): QueuePosition {
  const [firstReportedAt, messageId, ...rest] = decodeCursor(QUEUE_CURSOR, cursor)?.split(' ') ?? [];
  if (!firstReportedAt || !messageId || rest.length > 0) throw new AppError('validation_failed', 'cursor is not one this queue returned', [{ path: '/cursor', message: 'is not one this queue returned' }]);
  return { firstReportedAt, messageId };
}
