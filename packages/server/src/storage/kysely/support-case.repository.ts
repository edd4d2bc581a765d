import type { Selectable, Transaction } from 'kysely';
import type { Conversation, Message } from '../../core/model.js';
import type { Database, SupportCasesTable } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import type { CaseChange, CaseListQuery, CaseNote, CasePriority, CaseStatus, NewConversation, NewJob, NewMessage, NewSupportCase, SupportCase, SupportCaseRepository } from '../store.js';
import type { KyselyConversationRepository } from './conversation.repository.js';
import type { KyselyMessageRepository } from './message.repository.js';
import type { KyselyOutboxRepository } from './outbox.repository.js';
import { now } from './rows.js';

/** Backlog order: higher rank first. */
export const PRIORITY_RANK: Readonly<Record<CasePriority, number>> = { urgent: 4, high: 3, medium: 2, low: 1 };

const toCase = (row: Selectable<SupportCasesTable>): SupportCase => ({
  conversationId: row.conversation_id,
  queue: row.queue,
  status: row.status as CaseStatus,
  priority: row.priority as CasePriority,
  category: row.category,
  subject: row.subject,
  requesterId: row.requester_id,
  assignedAgentId: row.assigned_agent_id,
  assignmentReason: row.assignment_reason,
  createdAt: row.created_at,
  firstResponseAt: row.first_response_at,
  acceptedAt: row.accepted_at,
  resolvedAt: row.resolved_at,
  closedAt: row.closed_at,
  csatScore: row.csat_score === null ? null : Number(row.csat_score),
  csatComment: row.csat_comment,
  csatAt: row.csat_at,
});

export class KyselySupportCaseRepository implements SupportCaseRepository {
  constructor(
    private readonly adapter: DialectAdapter,
    private readonly conversations: KyselyConversationRepository,
    private readonly messages: KyselyMessageRepository,
    private readonly outbox: KyselyOutboxRepository,
  ) {}

  /** Appends the change's note inside its transaction (a system message, with its seq). */
  private async writeNote(trx: Transaction<Database>, conversationId: string, note: CaseNote | undefined): Promise<Message | undefined> {
    if (note === undefined) return undefined;
    return (await this.messages.appendIn(trx, { conversationId, senderId: null, kind: 'system', content: note.content, metadata: note.metadata })).message;
  }

  private get db() {
    return this.adapter.db;
  }

  async open(conversation: NewConversation, supportCase: NewSupportCase, first?: Omit<NewMessage, 'conversationId'>) {
    let opened: SupportCase | undefined;
    const created: { conversation: Conversation; message: Message | undefined } = await this.conversations.createWith(conversation, first, async (trx, conversationId, createdAt) => {
      const row = {
        conversation_id: conversationId,
        queue: supportCase.queue,
        status: 'waiting',
        priority: supportCase.priority,
        priority_rank: PRIORITY_RANK[supportCase.priority],
        category: supportCase.category,
        subject: supportCase.subject,
        requester_id: supportCase.requesterId,
        assigned_agent_id: null,
        assignment_reason: null,
        created_at: createdAt,
        first_response_at: null,
        accepted_at: null,
        resolved_at: null,
        closed_at: null,
        csat_score: null,
        csat_comment: null,
        csat_at: null,
      };
      await trx.insertInto('support_cases').values(row).execute();
      opened = toCase(row);
    });
    return { ...created, supportCase: opened! };
  }

  async byConversation(conversationId: string): Promise<SupportCase | undefined> {
    const row = await this.db.selectFrom('support_cases').selectAll().where('conversation_id', '=', conversationId).executeTakeFirst();
    return row && toCase(row);
  }

  async list(query: CaseListQuery): Promise<SupportCase[]> {
    let select = this.db.selectFrom('support_cases').selectAll();
    if (query.queue !== undefined) select = select.where('queue', '=', query.queue);
    // No queue at all matches nothing (the key is never null); `in ()` is not valid SQL.
    if (query.queues !== undefined) select = query.queues.length === 0 ? select.where('conversation_id', 'is', null) : select.where('queue', 'in', [...query.queues]);
    if (query.statuses !== undefined && query.statuses.length > 0) select = select.where('status', 'in', [...query.statuses]);
    if (query.agentId !== undefined) select = select.where('assigned_agent_id', '=', query.agentId);
    if (query.requesterId !== undefined) select = select.where('requester_id', '=', query.requesterId);
    const rows = await select.orderBy('created_at', 'desc').orderBy('conversation_id').limit(query.limit).offset(query.offset ?? 0).execute();
    return rows.map(toCase);
  }

  async assign(conversationId: string, agentId: string, reason: string, options: { from: readonly CaseStatus[]; onlyUnassigned: boolean; note?: CaseNote; jobs?: readonly NewJob[] }): Promise<(CaseChange & { agentJoined: boolean }) | undefined> {
    const timestamp = now();
    const outcome = await this.db.transaction().execute(async (trx) => {
      let update = trx
        .updateTable('support_cases')
        .set((eb) => ({
          status: 'active',
          assigned_agent_id: agentId,
          assignment_reason: reason,
          accepted_at: eb.fn.coalesce('accepted_at', eb.val(timestamp)),
        }))
        .where('conversation_id', '=', conversationId)
        .where('status', 'in', [...options.from]);
      if (options.onlyUnassigned) update = update.where('assigned_agent_id', 'is', null);
      const result = await update.executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      const before = await trx.selectFrom('participants').select('left_at').where('conversation_id', '=', conversationId).where('user_id', '=', agentId).executeTakeFirst();
      await trx
        .insertInto('participants')
        .values({ conversation_id: conversationId, user_id: agentId, role: 'agent', joined_at: timestamp, left_at: null })
        .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doUpdateSet({ left_at: null, role: 'agent' }))
        .execute();
      const note = await this.writeNote(trx, conversationId, options.note);
      await this.outbox.enqueueIn(trx, options.jobs ?? [], timestamp);
      return { agentJoined: before === undefined || before.left_at !== null, note };
    });
    if (!outcome) return undefined;
    this.conversations.forgetAccessFacts(conversationId);
    return { supportCase: (await this.byConversation(conversationId))!, agentJoined: outcome.agentJoined, note: outcome.note };
  }

  async transition(
    conversationId: string,
    from: readonly CaseStatus[],
    to: CaseStatus,
    stamp: 'resolved_at' | 'closed_at' | null,
    options: { clearAgent?: boolean; conversationStatus?: string; note?: CaseNote; jobs?: readonly NewJob[] } = {},
  ): Promise<CaseChange | undefined> {
    const timestamp = now();
    const outcome = await this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('support_cases')
        .set({
          status: to,
          ...(stamp !== null && { [stamp]: timestamp }),
          ...(options.clearAgent && { assigned_agent_id: null, assignment_reason: null }),
        })
        .where('conversation_id', '=', conversationId)
        .where('status', 'in', [...from])
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      if (options.conversationStatus !== undefined) {
        await trx.updateTable('conversations').set({ status: options.conversationStatus, updated_at: timestamp }).where('id', '=', conversationId).execute();
      }
      await this.outbox.enqueueIn(trx, options.jobs ?? [], timestamp);
      return { note: await this.writeNote(trx, conversationId, options.note) };
    });
    if (!outcome) return undefined;
    if (options.conversationStatus !== undefined) this.conversations.forgetAccessFacts(conversationId);
    return { supportCase: (await this.byConversation(conversationId))!, note: outcome.note };
  }

  async moveQueue(conversationId: string, queue: string, unassign: boolean, note?: CaseNote, jobs: readonly NewJob[] = []): Promise<CaseChange | undefined> {
    const outcome = await this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('support_cases')
        .set({ queue, ...(unassign && { status: 'waiting', assigned_agent_id: null, assignment_reason: null }) })
        .where('conversation_id', '=', conversationId)
        .where('status', 'in', ['waiting', 'active'])
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      await this.outbox.enqueueIn(trx, jobs);
      return { note: await this.writeNote(trx, conversationId, note) };
    });
    return outcome && { supportCase: (await this.byConversation(conversationId))!, note: outcome.note };
  }

  async recordFirstResponse(conversationId: string, at: string): Promise<void> {
    // The earliest wins: stamps arrive as jobs, and two responses' jobs may run in either order.
    await this.db
      .updateTable('support_cases')
      .set({ first_response_at: at })
      .where('conversation_id', '=', conversationId)
      .where((eb) => eb.or([eb('first_response_at', 'is', null), eb('first_response_at', '>', at)]))
      .execute();
  }

  async rate(conversationId: string, score: number, comment: string | null, jobs: readonly NewJob[] = []): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('support_cases')
        .set({ csat_score: score, csat_comment: comment, csat_at: now() })
        .where('conversation_id', '=', conversationId)
        .where('status', 'in', ['resolved', 'closed'])
        .where('csat_score', 'is', null)
        .executeTakeFirst();
      const rated = Number(result.numUpdatedRows) === 1;
      if (rated) await this.outbox.enqueueIn(trx, jobs);
      return rated;
    });
  }

  async activeCounts(agentIds: readonly string[]): Promise<Map<string, number>> {
    if (agentIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('support_cases')
      .select((eb) => ['assigned_agent_id', eb.fn.countAll<number>().as('n')])
      .where('status', '=', 'active')
      .where('assigned_agent_id', 'in', [...agentIds])
      .groupBy('assigned_agent_id')
      .execute();
    return new Map(rows.map((r) => [r.assigned_agent_id!, Number(r.n)]));
  }

  async lastAssignedAgent(queue: string): Promise<string | undefined> {
    // Active cases only: the backlog index narrows to them, and they are what agents hold now.
    const row = await this.db
      .selectFrom('support_cases')
      .select('assigned_agent_id')
      .where('queue', '=', queue)
      .where('status', '=', 'active')
      .where('assigned_agent_id', 'is not', null)
      .orderBy('accepted_at', 'desc')
      .orderBy('conversation_id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.assigned_agent_id ?? undefined;
  }

  async backlog(queue: string, limit: number): Promise<SupportCase[]> {
    const rows = await this.db
      .selectFrom('support_cases')
      .selectAll()
      .where('queue', '=', queue)
      .where('status', '=', 'waiting')
      .orderBy('priority_rank', 'desc')
      .orderBy('created_at', 'asc')
      .orderBy('conversation_id')
      .limit(limit)
      .execute();
    return rows.map(toCase);
  }

  async queueStats(queue: string): Promise<{ waiting: number; oldestWaitingSince: string | null }> {
    const row = await this.db
      .selectFrom('support_cases')
      .select((eb) => [eb.fn.countAll<number>().as('waiting'), eb.fn.min('created_at').as('oldest')])
      .where('queue', '=', queue)
      .where('status', '=', 'waiting')
      .executeTakeFirstOrThrow();
    return { waiting: Number(row.waiting), oldestWaitingSince: (row.oldest as string | null) ?? null };
  }
}
