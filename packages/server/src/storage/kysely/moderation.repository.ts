import type { Kysely, Selectable, Transaction } from 'kysely';
import { AppError } from '../../core/errors.js';
import type { Conversation, Message } from '../../core/model.js';
import type { KyselyConversationRepository } from './conversation.repository.js';
import type { KyselyOutboxRepository } from './outbox.repository.js';
import type { Database, MessageReportsTable, ModerationAuditTable, ModerationRestrictionsTable } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import { COLUMNS } from './columns.js';
import { normaliseForSearch } from '../../search/search-text.js';
import type {
  AuditEntry,
  BlocklistAction,
  BlocklistTerm,
  MessageAction,
  MessageReport,
  ModerationRepository,
  NewAuditEntry,
  NewReport,
  NewRestriction,
  QueuePosition,
  ReportedMessage,
  ReportJobs,
  ReportOutcome,
  ReportState,
  Restriction,
  RestrictionKind,
} from '../store.js';
import { timeOrderedId } from '../time-ordered-id.js';
import { now, toMessage } from './rows.js';
import { arg, PreparedQuery } from './prepared-query.js';

/** Named, not `*`: a prepared statement must not change shape when a migration adds a column. */
const RESTRICTION_COLUMNS = ['id', 'kind', 'user_id', 'conversation_id', 'shadow', 'reason', 'until', 'created_by', 'created_at', 'lifted_at', 'lifted_by'] as const;

/** Reporters the server itself files as; they never count towards auto-hide. */
const SYSTEM_REPORTER = 'system:%';

export class KyselyModerationRepository implements ModerationRepository {
  /** Asked on every send: built and compiled once (see PreparedQuery). */
  private readonly inForce: PreparedQuery<Selectable<ModerationRestrictionsTable>>;

  constructor(
    private readonly adapter: DialectAdapter,
    /** Slow mode is part of a conversation's access facts, which that repository may hold in memory. */
    private readonly conversations: Pick<KyselyConversationRepository, 'byId' | 'forgetAccessFacts'>,
    private readonly outbox: KyselyOutboxRepository,
  ) {
    this.inForce = new PreparedQuery(adapter, (db) =>
      db
        .selectFrom('moderation_restrictions')
        .select(RESTRICTION_COLUMNS)
        .where('user_id', '=', arg(0))
        .where('lifted_at', 'is', null)
        .where((eb) => eb.or([eb('until', 'is', null), eb('until', '>', arg(1))])),
    );
  }

  private get db(): Kysely<Database> {
    return this.adapter.db;
  }

  async report(input: NewReport, autoHideAt: number, jobs?: ReportJobs): Promise<ReportOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const timestamp = now();
      const inserted = await trx
        .insertInto('message_reports')
        .values({ id: timeOrderedId(), message_id: input.messageId, conversation_id: input.conversationId, reporter_id: input.reporterId, reason: input.reason, note: input.note, state: 'open', created_at: timestamp, resolved_at: null, resolved_by: null })
        .onConflict((oc) => oc.columns(['message_id', 'reporter_id']).doNothing())
        .executeTakeFirst();
      const created = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
      const report = await trx.selectFrom('message_reports').selectAll().where('message_id', '=', input.messageId).where('reporter_id', '=', input.reporterId).executeTakeFirstOrThrow();
      if (created) await trx.updateTable('messages').set({ reported: 1 }).where('id', '=', input.messageId).execute();
      const counted = await trx
        .selectFrom('message_reports')
        .select((eb) => eb.fn.count<number>('reporter_id').distinct().as('n'))
        .where('message_id', '=', input.messageId)
        .where('state', '=', 'open')
        .where('reporter_id', 'not like', SYSTEM_REPORTER)
        .executeTakeFirstOrThrow();
      const openReporters = Number(counted.n);
      let message = await messageIn(trx, input.messageId);
      const autoHidden = created && openReporters >= autoHideAt && !message.hidden;
      if (autoHidden) {
        await trx.updateTable('messages').set({ hidden: 1 }).where('id', '=', input.messageId).execute();
        await appendAudit(trx, { actorId: null, action: 'auto_hide', targetType: 'message', targetId: input.messageId, reason: `${openReporters} people reported it`, params: { conversation_id: input.conversationId, reporters: openReporters } });
        message = await messageIn(trx, input.messageId);
      }
      if (jobs) await this.outbox.enqueueIn(trx, jobs({ reportId: report.id, created, autoHidden }), timestamp);
      return { report: toReport(report), created, openReporters, message, autoHidden };
    });
  }

  async queue(query: { state: ReportState; limit: number; after?: QueuePosition }): Promise<ReportedMessage[]> {
    let groups = this.db
      .selectFrom('message_reports')
      .select(['message_id', 'conversation_id'])
      .select((eb) => eb.fn.min<string>('created_at').as('first_reported_at'))
      .where('state', '=', query.state)
      .groupBy(['message_id', 'conversation_id'])
      .orderBy('first_reported_at')
      .orderBy('message_id')
      .limit(query.limit);
    const after = query.after;
    if (after !== undefined) {
      groups = groups.having((eb) => {
        const first = eb.fn.min<string>('created_at');
        return eb.or([eb(first, '>', after.firstReportedAt), eb.and([eb(first, '=', after.firstReportedAt), eb('message_id', '>', after.messageId)])]);
      });
    }
    const rows = await groups.execute();
    if (rows.length === 0) return [];
    const reports = await this.db
      .selectFrom('message_reports')
      .selectAll()
      .where('state', '=', query.state)
      .where(
        'message_id',
        'in',
        rows.map((r) => r.message_id),
      )
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({
      messageId: r.message_id,
      conversationId: r.conversation_id,
      firstReportedAt: r.first_reported_at,
      reports: reports.filter((x) => x.message_id === r.message_id).map(toReport),
    }));
  }

  async reportsOf(messageId: string): Promise<MessageReport[]> {
    const rows = await this.db.selectFrom('message_reports').selectAll().where('message_id', '=', messageId).orderBy('created_at').execute();
    return rows.map(toReport);
  }

  async actOnMessage(action: MessageAction): Promise<{ message: Message; settled: number }> {
    return this.db.transaction().execute(async (trx) => {
      const { patch } = action;
      const set = {
        ...(patch.content !== undefined && { content: patch.content, search_text: normaliseForSearch(patch.content) }),
        ...(patch.deletedAt !== undefined && { deleted_at: patch.deletedAt }),
        ...(patch.hidden !== undefined && { hidden: patch.hidden ? 1 : 0 }),
      };
      if (Object.keys(set).length > 0) await trx.updateTable('messages').set(set).where('id', '=', action.messageId).execute();
      let settled = 0;
      if (action.resolveReports !== undefined) {
        const result = await trx
          .updateTable('message_reports')
          .set({ state: action.resolveReports, resolved_at: now(), resolved_by: action.by })
          .where('message_id', '=', action.messageId)
          .where('state', '=', 'open')
          .executeTakeFirst();
        settled = Number(result.numUpdatedRows);
      }
      await appendAudit(trx, { ...action.audit, params: { ...action.audit.params, reports_settled: settled } });
      if (action.jobs !== undefined && action.jobs.length > 0) await this.outbox.enqueueIn(trx, action.jobs);
      return { message: await messageIn(trx, action.messageId), settled };
    });
  }

  async restrict(input: NewRestriction, audit: Omit<NewAuditEntry, 'targetId'>): Promise<Restriction> {
    return this.db.transaction().execute(async (trx) => {
      const row = {
        id: timeOrderedId(),
        kind: input.kind,
        user_id: input.userId,
        conversation_id: input.conversationId,
        shadow: input.shadow ? 1 : 0,
        reason: input.reason,
        until: input.until,
        created_by: input.createdBy,
        created_at: now(),
        lifted_at: null,
        lifted_by: null,
      };
      await trx.insertInto('moderation_restrictions').values(row).execute();
      await appendAudit(trx, { ...audit, targetId: row.id });
      return toRestriction(row);
    });
  }

  async lift(id: string, by: string | null, audit: Omit<NewAuditEntry, 'targetId'>): Promise<Restriction | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('moderation_restrictions').set({ lifted_at: now(), lifted_by: by }).where('id', '=', id).where('lifted_at', 'is', null).executeTakeFirst();
      const row = await trx.selectFrom('moderation_restrictions').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row || Number(result.numUpdatedRows) === 0) return undefined;
      await appendAudit(trx, { ...audit, targetId: id, params: { ...audit.params, kind: row.kind, user_id: row.user_id } });
      return toRestriction(row);
    });
  }

  async restrictionsInForce(userId: string, at: string): Promise<Restriction[]> {
    const { rows } = await this.inForce.execute(this.db, [userId, at]);
    return rows.map(toRestriction);
  }

  async listRestrictions(query: { kind?: RestrictionKind; userId?: string; activeAt?: string; limit: number }): Promise<Restriction[]> {
    let select = this.db.selectFrom('moderation_restrictions').selectAll();
    if (query.kind !== undefined) select = select.where('kind', '=', query.kind);
    if (query.userId !== undefined) select = select.where('user_id', '=', query.userId);
    const at = query.activeAt;
    if (at !== undefined) select = select.where('lifted_at', 'is', null).where((eb) => eb.or([eb('until', 'is', null), eb('until', '>', at)]));
    const rows = await select.orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(toRestriction);
  }

  async blocklist(): Promise<BlocklistTerm[]> {
    const rows = await this.db.selectFrom('blocklist_terms').select(['term', 'action']).orderBy('term').execute();
    return rows.map((r) => ({ term: r.term, action: r.action as BlocklistAction }));
  }

  async replaceBlocklist(action: BlocklistAction, terms: readonly string[], audit: NewAuditEntry): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('blocklist_terms').where('action', '=', action).execute();
      const timestamp = now();
      const unique = [...new Set(terms)];
      // A term is in one list only: putting it in this one takes it out of the others.
      if (unique.length > 0) {
        await trx.deleteFrom('blocklist_terms').where('term', 'in', unique).execute();
        await trx
          .insertInto('blocklist_terms')
          .values(unique.map((term) => ({ term, action, created_at: timestamp })))
          .execute();
      }
      await appendAudit(trx, audit);
    });
  }

  async block(blockerId: string, blockedId: string): Promise<boolean> {
    const result = await this.db
      .insertInto('user_blocks')
      .values({ blocker_id: blockerId, blocked_id: blockedId, created_at: now() })
      .onConflict((oc) => oc.columns(['blocker_id', 'blocked_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async unblock(blockerId: string, blockedId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('user_blocks').where('blocker_id', '=', blockerId).where('blocked_id', '=', blockedId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async blocksBy(blockerId: string): Promise<{ userId: string; createdAt: string }[]> {
    const rows = await this.db.selectFrom('user_blocks').select(['blocked_id', 'created_at']).where('blocker_id', '=', blockerId).orderBy('created_at').execute();
    return rows.map((r) => ({ userId: r.blocked_id, createdAt: r.created_at }));
  }

  async blockersAmong(blockedId: string, blockerIds: readonly string[]): Promise<string[]> {
    if (blockerIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('user_blocks')
      .select('blocker_id')
      .where('blocked_id', '=', blockedId)
      .where('blocker_id', 'in', [...blockerIds])
      .execute();
    return rows.map((r) => r.blocker_id);
  }

  async setSlowMode(conversationId: string, seconds: number, audit: NewAuditEntry): Promise<Conversation> {
    await this.db.transaction().execute(async (trx) => {
      const timestamp = now();
      const result = await trx.updateTable('conversations').set({ slow_mode_seconds: seconds, updated_at: timestamp }).where('id', '=', conversationId).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw new AppError('conversation_not_found');
      await appendAudit(trx, audit);
    });
    this.conversations.forgetAccessFacts(conversationId);
    const saved = await this.conversations.byId(conversationId);
    if (!saved) throw new AppError('conversation_not_found');
    return saved;
  }

  async audit(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.db.transaction().execute((trx) => appendAudit(trx, entry));
  }

  async auditLog(query: { limit: number; before?: string; actorId?: string; action?: string }): Promise<AuditEntry[]> {
    let select = this.db.selectFrom('moderation_audit').selectAll();
    if (query.before !== undefined) select = select.where('id', '<', query.before);
    if (query.actorId !== undefined) select = select.where('actor_id', '=', query.actorId);
    if (query.action !== undefined) select = select.where('action', '=', query.action);
    const rows = await select.orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(toAudit);
  }
}

async function messageIn(trx: Transaction<Database>, id: string): Promise<Message> {
  const row = await trx.selectFrom('messages').select(COLUMNS.messages).where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('message_not_found');
  return toMessage(row);
}

async function appendAudit(trx: Transaction<Database>, entry: NewAuditEntry): Promise<AuditEntry> {
  const row = { id: timeOrderedId(), actor_id: entry.actorId, action: entry.action, target_type: entry.targetType, target_id: entry.targetId, reason: entry.reason, params: JSON.stringify(entry.params), created_at: now() };
  await trx.insertInto('moderation_audit').values(row).execute();
  return toAudit(row);
}

function toReport(row: Selectable<MessageReportsTable>): MessageReport {
  return {
    id: row.id,
    messageId: row.message_id,
    conversationId: row.conversation_id,
    reporterId: row.reporter_id,
    reason: row.reason,
    note: row.note,
    state: row.state as ReportState,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
  };
}

function toRestriction(row: Selectable<ModerationRestrictionsTable>): Restriction {
  return {
    id: row.id,
    kind: row.kind as RestrictionKind,
    userId: row.user_id,
    conversationId: row.conversation_id,
    shadow: Number(row.shadow) === 1,
    reason: row.reason,
    until: row.until,
    createdBy: row.created_by,
    createdAt: row.created_at,
    liftedAt: row.lifted_at,
    liftedBy: row.lifted_by,
  };
}

function toAudit(row: Selectable<ModerationAuditTable>): AuditEntry {
  return {
    id: row.id,
    actorId: row.actor_id,
    action: row.action,
    targetType: row.target_type as AuditEntry['targetType'],
    targetId: row.target_id,
    reason: row.reason,
    params: JSON.parse(row.params) as AuditEntry['params'],
    createdAt: row.created_at,
  };
}
