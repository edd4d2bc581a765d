import { randomUUID } from 'node:crypto';
import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';
import { AppError } from '../../core/errors.js';
import type { Conversation, ConversationContext, ConversationSummary, Json, Message, Participant } from '../../core/model.js';
import type { Database } from '../database.js';
import { visibleTo } from '../../core/message-visibility.js';
import { COLUMNS } from './columns.js';
import { AccessFactsCache } from './access-facts-cache.js';
import { arg, PreparedQuery } from './prepared-query.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import type { AccessFacts, ContextRoom, ContextSync, ConversationListQuery, ConversationPatch, ConversationRepository, FollowedConversation, InactiveQuery, NewConversation, NewJob, NewMessage } from '../store.js';
import { syncContextsIn, type ContextWrite } from './context-sync.js';
import type { KyselyMessageRepository } from './message.repository.js';
import type { KyselyOutboxRepository } from './outbox.repository.js';
import { now, toConversation, toMessage, toParticipant } from './rows.js';

export class KyselyConversationRepository implements ConversationRepository {
  /** Read on every send and receipt (access checks); compiled once (see PreparedQuery). */
  private readonly statements: ReturnType<typeof conversationStatements>;

  /** Only where this process is the sole writer; elsewhere every decision reads the database. */
  private readonly facts: AccessFactsCache | undefined;

  constructor(
    private readonly adapter: DialectAdapter,
    private readonly messages: KyselyMessageRepository,
    private readonly outbox: KyselyOutboxRepository,
  ) {
    this.statements = conversationStatements(adapter);
    this.facts = adapter.exclusive ? new AccessFactsCache() : undefined;
  }

  async accessFacts(conversationId: string, userId: string): Promise<AccessFacts | undefined> {
    const load = async (): Promise<AccessFacts | undefined> => {
      const row = (await this.statements.accessFacts.execute(this.db, [conversationId, userId])).rows[0];
      if (!row) return undefined;
      return {
        conversation: { id: row.id, type: row.type, status: row.status, createdBy: row.created_by, slowModeSeconds: Number(row.slow_mode_seconds) },
        participant: row.user_id === null ? undefined : { userId: row.user_id, role: row.role!, leftAt: row.left_at },
      };
    };
    return this.facts ? this.facts.get(conversationId, userId, load) : load();
  }

  /** Called after any committed change to a conversation's state or membership. */
  forgetAccessFacts(conversationId: string): void {
    this.facts?.forget(conversationId);
  }

  private get db(): Kysely<Database> {
    return this.adapter.db;
  }

  async create(input: NewConversation): Promise<Conversation> {
    return (await this.createWith(input)).conversation;
  }

  async createWithMessage(input: NewConversation, first: Omit<NewMessage, 'conversationId'>): Promise<{ conversation: Conversation; message: Message }> {
    const { conversation, message } = await this.createWith(input, first);
    return { conversation, message: message! };
  }

  /**
   * The shared create: conversation, participants, optional first message, and whatever else
   * `extra` writes (a support case row), all in one transaction.
   */
  async createWith(
    input: NewConversation,
    first?: Omit<NewMessage, 'conversationId'>,
    extra?: (trx: Transaction<Database>, conversationId: string, createdAt: string) => Promise<void>,
  ): Promise<{ conversation: Conversation; message: Message | undefined }> {
    const id = randomUUID();
    const timestamp = now();
    let message: Message | undefined;
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('conversations')
          .values({
            id,
            type: input.type,
            context_type: input.context?.type ?? null,
            context_id: input.context?.id ?? null,
            title: input.title,
            status: input.status ?? 'active',
            metadata: JSON.stringify(input.metadata),
            created_by: input.createdBy,
            last_message_at: null,
            last_activity_at: timestamp,
            created_at: timestamp,
            updated_at: timestamp,
          })
          .execute();
        if (input.participants.length > 0) {
          await trx
            .insertInto('participants')
            .values(input.participants.map((p) => ({ conversation_id: id, user_id: p.userId, role: p.role, joined_at: timestamp, left_at: null })))
            .execute();
        }
        if (extra) await extra(trx, id, timestamp);
        if (input.jobs) await this.outbox.enqueueIn(trx, input.jobs(id), timestamp);
        if (first) message = (await this.messages.appendIn(trx, { ...first, conversationId: id })).message;
      });
    } catch (error) {
      // Only the context's constraint makes this `context_taken`; a duplicated participant in the
      // input violates a unique key too, and must not be reported as a taken context.
      if (this.adapter.isUniqueViolation(error) && input.context !== null && (await this.byContext(input.context))) {
        throw new AppError('context_taken');
      }
      throw error;
    }
    return { conversation: (await this.byId(id))!, message };
  }

  async byId(id: string): Promise<Conversation | undefined> {
    const row = (await this.statements.byId.execute(this.db, [id])).rows[0];
    return row && toConversation(row);
  }

  async byContext(context: ConversationContext): Promise<Conversation | undefined> {
    const row = await this.db
      .selectFrom('conversations')
      .selectAll()
      .where('context_type', '=', context.type)
      .where('context_id', '=', context.id)
      .executeTakeFirst();
    return row && toConversation(row);
  }

  async listForUser(query: ConversationListQuery): Promise<ConversationSummary[]> {
    let select = this.db
      .selectFrom('participants as p')
      .innerJoin('conversations as c', 'c.id', 'p.conversation_id')
      .selectAll('c')
      .select(['p.role as p_role', 'p.last_read_seq as p_last_read_seq', 'p.last_delivered_seq as p_last_delivered_seq', 'p.muted as p_muted', 'p.joined_at as p_joined_at', 'p.left_at as p_left_at', 'p.user_id as p_user_id'])
      .where('p.user_id', '=', query.userId)
      .where('p.left_at', 'is', null);
    if (query.status !== undefined) select = select.where('c.status', '=', query.status);
    if (query.type !== undefined) select = select.where('c.type', '=', query.type);
    if (query.before !== undefined) select = select.where('c.last_activity_at', '<', query.before);
    const rows = await select.orderBy('c.last_activity_at', 'desc').orderBy('c.id', 'desc').limit(query.limit).execute();
    const lastMessages = await this.lastMessages(rows.map((r) => r.id));
    return rows.map((row) => {
      const conversation = toConversation(row);
      const participant = toParticipant({
        conversation_id: row.id,
        user_id: row.p_user_id,
        role: row.p_role,
        last_read_seq: row.p_last_read_seq,
        last_delivered_seq: row.p_last_delivered_seq,
        muted: row.p_muted,
        joined_at: row.p_joined_at,
        left_at: row.p_left_at,
      });
      return summarize(conversation, participant, lastMessages.get(row.id));
    });
  }

  async followedBy(userId: string, limit: number): Promise<FollowedConversation[]> {
    const { rows } = await this.statements.followedBy.execute(this.db, [userId, limit]);
    return rows.map((row) => ({ id: row.id, lastSeq: Number(row.last_seq) }));
  }

  async summaryFor(conversationId: string, userId: string): Promise<ConversationSummary | undefined> {
    const [conversation, participant] = await Promise.all([this.byId(conversationId), this.participant(conversationId, userId)]);
    if (!conversation || !participant || participant.leftAt !== null) return undefined;
    const last = await this.lastMessages([conversationId]);
    return summarize(conversation, participant, last.get(conversationId));
  }

  private async lastMessages(conversationIds: readonly string[]) {
    if (conversationIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('messages as m')
      .innerJoin('conversations as c', (join) => join.onRef('c.id', '=', 'm.conversation_id').onRef('c.last_seq', '=', 'm.seq'))
      .selectAll('m')
      .where('m.conversation_id', 'in', [...conversationIds])
      .execute();
    return new Map(rows.map((row) => [row.conversation_id, toMessage(row)]));
  }

  async update(id: string, patch: ConversationPatch, jobs: readonly NewJob[] = []): Promise<Conversation> {
    const timestamp = now();
    await this.inTransactionFor(jobs, async (db) => {
      await this.updateIn(db, id, patch, timestamp);
      await this.outbox.enqueueIn(db, jobs, timestamp);
    });
    this.forgetAccessFacts(id);
    const saved = await this.byId(id);
    if (!saved) throw new AppError('conversation_not_found');
    return saved;
  }

  /** Runs `work` in a transaction when there are jobs to write with it; a lone statement needs none. */
  private async inTransactionFor(jobs: readonly NewJob[], work: (db: Kysely<Database>) => Promise<void>): Promise<void> {
    if (jobs.length === 0) await work(this.db);
    else await this.db.transaction().execute(work);
  }

  private async updateIn(db: Kysely<Database>, id: string, patch: ConversationPatch, timestamp: string): Promise<void> {
    await db
      .updateTable('conversations')
      .set({
        ...(patch.title !== undefined && { title: patch.title }),
        ...(patch.status !== undefined && { status: patch.status }),
        ...(patch.metadata !== undefined && { metadata: JSON.stringify(patch.metadata) }),
        updated_at: timestamp,
        last_activity_at: timestamp,
      })
      .where('id', '=', id)
      .execute();
  }

  async participants(conversationId: string): Promise<Participant[]> {
    const { rows } = await this.statements.participants.execute(this.db, [conversationId]);
    return rows.map(toParticipant);
  }

  async participantsOf(conversationIds: readonly string[]): Promise<Map<string, Participant[]>> {
    const byConversation = new Map<string, Participant[]>();
    for (let i = 0; i < conversationIds.length; i += 1000) {
      const rows = await this.db
        .selectFrom('participants')
        .selectAll()
        .where('conversation_id', 'in', conversationIds.slice(i, i + 1000))
        .where('left_at', 'is', null)
        .orderBy('joined_at')
        .execute();
      for (const row of rows) {
        if (!byConversation.has(row.conversation_id)) byConversation.set(row.conversation_id, []);
        byConversation.get(row.conversation_id)!.push(toParticipant(row));
      }
    }
    return byConversation;
  }

  async contactsOf(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('participants as mine')
      .innerJoin('participants as other', 'other.conversation_id', 'mine.conversation_id')
      .select('other.user_id')
      .distinct()
      .where('mine.user_id', '=', userId)
      .where('mine.left_at', 'is', null)
      .where('other.left_at', 'is', null)
      .where('other.user_id', '!=', userId)
      .execute();
    return rows.map((r) => r.user_id);
  }

  async participant(conversationId: string, userId: string): Promise<Participant | undefined> {
    const row = (await this.statements.participant.execute(this.db, [conversationId, userId])).rows[0];
    return row && toParticipant(row);
  }

  async addParticipant(conversationId: string, userId: string, role: string, jobs: readonly NewJob[] = []): Promise<Participant> {
    const timestamp = now();
    await this.inTransactionFor(jobs, async (db) => {
      await db
        .insertInto('participants')
        .values({ conversation_id: conversationId, user_id: userId, role, joined_at: timestamp, left_at: null })
        .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doUpdateSet({ left_at: null, role }))
        .execute();
      await this.outbox.enqueueIn(db, jobs, timestamp);
    });
    this.forgetAccessFacts(conversationId);
    return (await this.participant(conversationId, userId))!;
  }

  async removeParticipant(conversationId: string, userId: string, jobs: readonly NewJob[] = []): Promise<boolean> {
    let removed = false;
    await this.inTransactionFor(jobs, async (db) => {
      const result = await db
        .updateTable('participants')
        .set({ left_at: now() })
        .where('conversation_id', '=', conversationId)
        .where('user_id', '=', userId)
        .where('left_at', 'is', null)
        .executeTakeFirst();
      removed = Number(result.numUpdatedRows) > 0;
      // Nobody left, so nothing happened to report.
      if (removed) await this.outbox.enqueueIn(db, jobs);
    });
    this.forgetAccessFacts(conversationId);
    return removed;
  }

  async markRead(conversationId: string, userId: string, seq: number, jobs: readonly NewJob[] = []): Promise<Participant> {
    return this.movePointers(conversationId, userId, seq, true, jobs);
  }

  async markDelivered(conversationId: string, userId: string, seq: number): Promise<Participant> {
    return this.movePointers(conversationId, userId, seq, false);
  }

  async scan(query: { readonly afterId?: string; readonly limit: number }): Promise<Conversation[]> {
    let select = this.db.selectFrom('conversations').selectAll();
    if (query.afterId !== undefined) select = select.where('id', '>', query.afterId);
    return (await select.orderBy('id').limit(query.limit).execute()).map(toConversation);
  }

  async inactive(query: InactiveQuery): Promise<Conversation[]> {
    let select = this.db.selectFrom('conversations').selectAll().where((eb) => inactiveCondition(eb, query));
    if (query.afterId !== undefined) select = select.where('id', '>', query.afterId);
    return (await select.orderBy('id').limit(query.limit).execute()).map(toConversation);
  }

  async setStatusIfInactive(id: string, status: string, query: Omit<InactiveQuery, 'afterId' | 'limit'>): Promise<Conversation | undefined> {
    const update = this.db.updateTable('conversations').set({ status, updated_at: now() }).where('id', '=', id);
    const result = await update.where((eb) => inactiveCondition(eb, query)).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    this.forgetAccessFacts(id);
    return this.byId(id);
  }

  async syncContexts(rooms: readonly ContextRoom[]): Promise<ContextSync[]> {
    if (rooms.length === 0) return [];
    let writes: ContextWrite[] = [];
    try {
      writes = await this.db.transaction().execute((trx) => syncContextsIn(trx, rooms));
    } catch (error) {
      // Another writer created one of these contexts between our read and our insert.
      if (this.adapter.isUniqueViolation(error)) throw new AppError('context_taken');
      throw error;
    }
    for (const write of writes) if (write.outcome !== 'unchanged') this.forgetAccessFacts(write.conversationId);
    const saved = await this.byIdsInChunks(writes.map((w) => w.conversationId));
    return writes.map(({ conversationId, ...rest }) => ({ ...rest, conversation: saved.get(conversationId)! }));
  }

  private async byIdsInChunks(ids: readonly string[]): Promise<Map<string, Conversation>> {
    const found = new Map<string, Conversation>();
    for (let i = 0; i < ids.length; i += 1000) {
      const rows = await this.db.selectFrom('conversations').selectAll().where('id', 'in', ids.slice(i, i + 1000)).execute();
      for (const row of rows) found.set(row.id, toConversation(row));
    }
    return found;
  }

  /** Pointers only move forward and never past the last committed seq. */
  private async movePointers(conversationId: string, userId: string, seq: number, read: boolean, jobs: readonly NewJob[] = []): Promise<Participant> {
    const conversation = await this.byId(conversationId);
    if (!conversation) throw new AppError('conversation_not_found');
    const target = Math.min(seq, conversation.lastSeq);
    // Jobs the move owes (a read's notification clear) commit with it, in its statement or transaction.
    if (this.adapter.writableCtes) await this.movePointersInOneStatement(conversationId, userId, target, read, jobs);
    else await this.db.transaction().execute(async (trx) => {
      // One transaction: the first-delivery stamps and the pointers commit together, in one commit.
      await this.stampFirstDeliveries(trx, conversationId, userId, target);
      const base = trx.updateTable('participants').where('conversation_id', '=', conversationId).where('user_id', '=', userId);
      await base.set({ last_delivered_seq: target }).where('last_delivered_seq', '<', target).execute();
      if (read) await base.set({ last_read_seq: target }).where('last_read_seq', '<', target).execute();
      if (jobs.length > 0) {
        if (!this.outbox) throw new Error('this conversation repository was built without an outbox');
        await this.outbox.enqueueIn(trx, jobs);
      }
    });
    const participant = await this.participant(conversationId, userId);
    if (!participant) throw new AppError('not_participant');
    return participant;
  }

  /**
   * `movePointers`' writes as one statement where `WITH` may hold writes (one round trip, as
   * before first deliveries were recorded): every part sees the same snapshot, so the stamps
   * are bounded by the pointer as it was before the update.
   */
  private async movePointersInOneStatement(conversationId: string, userId: string, target: number, read: boolean, jobs: readonly NewJob[]): Promise<void> {
    const at = now();
    const queued =
      jobs.length === 0
        ? sql``
        : sql`queued as (
        insert into jobs (id, kind, subject_id, payload, run_at, attempts, locked_until, last_error, created_at, completed_at, failed_at)
        values ${sql.join(jobs.map((j) => sql`(${j.id}, ${j.kind}, ${j.subjectId}, ${JSON.stringify(j.payload ?? {})}, ${j.runAt ?? at}, 0, null, null, ${at}, null, null)`))}
        on conflict (id) do nothing
      ),`;
    const readSeq = read ? sql`case when last_read_seq < ${target} then ${target} else last_read_seq end` : sql`last_read_seq`;
    const moves = read ? sql`(last_delivered_seq < ${target} or last_read_seq < ${target})` : sql`last_delivered_seq < ${target}`;
    await sql`
      with ${queued} stamped as (
        insert into message_deliveries (message_id, conversation_id, first_delivered_at)
        select m.id, m.conversation_id, ${now()}::text from messages m
        where m.conversation_id = ${conversationId} and m.seq <= ${target}
          and m.seq > (select last_delivered_seq from participants where conversation_id = ${conversationId} and user_id = ${userId})
          and (m.sender_id is null or m.sender_id <> ${userId})
        on conflict (message_id) do nothing
      )
      update participants
      set last_delivered_seq = case when last_delivered_seq < ${target} then ${target} else last_delivered_seq end, last_read_seq = ${readSeq}
      where conversation_id = ${conversationId} and user_id = ${userId} and ${moves}`.execute(this.db);
  }

  /**
   * Records the first delivery of the messages the user's delivered pointer is about to pass
   * (theirs excluded), before it moves, so the old pointer bounds the range. Each message is
   * written at most once (the earliest receipt wins), so a receipt that moves nothing writes
   * nothing. Runs in the receipt's transaction, before the pointer moves: if it fails, the
   * receipt fails whole and is retried.
   */
  private async stampFirstDeliveries(trx: Transaction<Database>, conversationId: string, userId: string, target: number): Promise<void> {
    const at = now();
    await trx
      .insertInto('message_deliveries')
      .columns(['message_id', 'conversation_id', 'first_delivered_at'])
      .expression((eb) =>
        eb
          .selectFrom('messages as m')
          .select(['m.id', 'm.conversation_id', sql<string>`cast(${at} as text)`.as('at')])
          .where('m.conversation_id', '=', conversationId)
          .where('m.seq', '<=', target)
          .where('m.seq', '>', (sub) => sub.selectFrom('participants').select('last_delivered_seq').where('conversation_id', '=', conversationId).where('user_id', '=', userId))
          .where((w) => w.or([w('m.sender_id', 'is', null), w('m.sender_id', '!=', userId)])),
      )
      .onConflict((oc) => oc.column('message_id').doNothing())
      .execute();
  }
}

function summarize(conversation: Conversation, participant: Participant, lastMessage: ReturnType<typeof toMessage> | undefined): ConversationSummary {
  return {
    conversation,
    participant,
    unreadCount: Math.max(0, conversation.lastSeq - participant.lastReadSeq),
    // A list is a participant's view: hidden and others' shadowed messages are tombstones there too.
    lastMessage: lastMessage ? visibleTo(lastMessage, { userId: participant.userId, moderator: false }) : null,
  };
}

function conversationStatements(adapter: DialectAdapter) {
  return {
    byId: new PreparedQuery(adapter, (db) => db.selectFrom('conversations').select(COLUMNS.conversations).where('id', '=', arg(0))),
    accessFacts: new PreparedQuery(adapter, (db) =>
      db
        .selectFrom('conversations as c')
        .leftJoin('participants as p', (join) => join.onRef('p.conversation_id', '=', 'c.id').on('p.user_id', '=', arg(1)))
        .select(['c.id', 'c.type', 'c.status', 'c.created_by', 'c.slow_mode_seconds', 'p.user_id', 'p.role', 'p.left_at'])
        .where('c.id', '=', arg(0)),
    ),
    participant: new PreparedQuery(adapter, (db) => db.selectFrom('participants').select(COLUMNS.participants).where('conversation_id', '=', arg(0)).where('user_id', '=', arg(1))),
    participants: new PreparedQuery(adapter, (db) =>
      db.selectFrom('participants').select(COLUMNS.participants).where('conversation_id', '=', arg(0)).where('left_at', 'is', null).orderBy('joined_at'),
    ),
    followedBy: new PreparedQuery(adapter, (db) =>
      db
        .selectFrom('participants as p')
        .innerJoin('conversations as c', 'c.id', 'p.conversation_id')
        .select(['c.id', 'c.last_seq'])
        .where('p.user_id', '=', arg(0))
        .where('p.left_at', 'is', null)
        .orderBy('c.last_activity_at', 'desc')
        .orderBy('c.id', 'desc')
        .limit(arg<number>(1)),
    ),
  };
}

/** What `inactive` selects, for a select or an update of `conversations`. */
function inactiveCondition(eb: ExpressionBuilder<Database, 'conversations'>, filter: Omit<InactiveQuery, 'afterId' | 'limit'>) {
  return eb.and([
    eb('last_activity_at', '<', filter.before),
    ...(filter.excludeStatuses.length > 0 ? [eb('status', 'not in', [...filter.excludeStatuses])] : []),
    ...(filter.excludeTypes.length > 0 ? [eb('type', 'not in', [...filter.excludeTypes])] : []),
  ]);
}
