import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { AppError, isAppError } from '../../core/errors.js';
import type { Message, MessageHeader } from '../../core/model.js';
import type { Database, MessagesTable } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import { conversationJobRow, type AppendResult, type MessagePageQuery, type MessagePatch, type MessageRepository, type NewJob, type NewMessage } from '../store.js';
import { GroupCommit, type Outcome } from '../group-commit.js';
import { timeOrderedId } from '../time-ordered-id.js';
import { COLUMNS } from './columns.js';
import { arg, PreparedQuery } from './prepared-query.js';
import { COALESCE_ON_CONFLICT, type KyselyOutboxRepository } from './outbox.repository.js';
import { MESSAGE_HEADER_COLUMNS, now, toMessage, toMessageHeader, type MessageRow } from './rows.js';
import { normaliseForSearch } from '../../search/search-text.js';

async function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

type AppendOutcome = Outcome<AppendResult>;

/** What a message row weighs once sent, near enough: its text columns, plus the fields around them. */
const ROW_OVERHEAD_BYTES = 256;
const rowBytes = (row: Pick<MessageRow, 'content' | 'metadata' | 'attachments'>) =>
  Buffer.byteLength(row.content) + Buffer.byteLength(row.metadata) + Buffer.byteLength(row.attachments) + ROW_OVERHEAD_BYTES;

/** How many of the first `count` rows fit in `maxBytes`; always at least one, so paging moves on. */
function withinBytes(rows: readonly MessageRow[], count: number, maxBytes: number): number {
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    bytes += rowBytes(rows[i]!);
    if (i > 0 && bytes > maxBytes) return i;
  }
  return count;
}

export class KyselyMessageRepository implements MessageRepository {
  /**
   * Where an append is several statements (SQLite, one writer), those of one turn share a
   * transaction. Where it is one statement (PostgreSQL), the database groups concurrent commits
   * itself and what costs is round trips, so appends go straight through.
   */
  private readonly appends: GroupCommit<NewMessage, AppendResult> | undefined;

  private readonly statements: ReturnType<typeof messageStatements>;

  constructor(
    private readonly adapter: DialectAdapter,
    private readonly outbox: KyselyOutboxRepository,
  ) {
    this.statements = messageStatements(adapter);
    this.appends = adapter.writableCtes ? undefined : new GroupCommit((batch) => this.appendBatch(batch));
  }

  private get db(): Kysely<Database> {
    return this.adapter.db;
  }

  append(input: NewMessage): Promise<AppendResult> {
    return this.appends ? this.appends.submit(input) : this.appendInOneStatement(input);
  }

  /**
   * The whole append (client-id check, seq bump, insert, sender's pointers, outbox jobs) as one
   * statement with data-modifying CTEs: atomic on its own, one round trip. A client-id race ends
   * in a unique violation that rolls the whole statement back (seq and jobs included), and the
   * winner's message is the answer.
   */
  private async appendInOneStatement(input: NewMessage): Promise<AppendResult> {
    const id = timeOrderedId();
    const timestamp = now();
    const args = [
      input.senderId,
      input.clientId ?? null,
      timestamp,
      input.conversationId,
      id,
      input.kind,
      input.content,
      JSON.stringify(input.attachments ?? []),
      input.replyTo ?? null,
      JSON.stringify(input.metadata ?? {}),
      [...new Set(input.jobs ?? [])],
      input.shadowed === true ? 1 : 0,
      normaliseForSearch(input.content),
      ...columnsOf((input.conversationJobs ?? []).map((job) => conversationJobRow(input.conversationId, job, timestamp))),
    ];
    try {
      const { rows } = await this.statements.appendInOneStatement.execute(this.db, args);
      const row = rows[0];
      if (!row) throw new AppError('conversation_not_found');
      const { created, ...message } = row;
      return { message: toMessage(message), created };
    } catch (error) {
      return this.answerLostRace(error, input);
    }
  }

  /**
   * One transaction for the whole group, in submission order. If anything fails, nothing of the
   * group is kept and each append runs again on its own, so one bad message (or a lost client-id
   * race) fails alone.
   */
  private async appendBatch(batch: readonly NewMessage[]): Promise<AppendOutcome[]> {
    if (batch.length === 1) return [await settle(this.appendAlone(batch[0]!))];
    try {
      const results = await this.db.transaction().execute(async (trx) => {
        const out: AppendResult[] = [];
        for (const input of batch) out.push(await this.appendIn(trx, input));
        return out;
      });
      return results.map((value) => ({ ok: true, value }));
    } catch (error) {
      // An unreachable database fails every append alike; retrying each would only wait longer.
      if (isAppError(error) && error.code === 'store_unavailable') return batch.map(() => ({ ok: false, error }));
      const outcomes: AppendOutcome[] = [];
      for (const input of batch) outcomes.push(await settle(this.appendAlone(input)));
      return outcomes;
    }
  }

  private async appendAlone(input: NewMessage): Promise<AppendResult> {
    try {
      return await this.db.transaction().execute((trx) => this.appendIn(trx, input));
    } catch (error) {
      return this.answerLostRace(error, input);
    }
  }

  /**
   * Two sends with one client id raced: the loser's whole append (its seq included) rolled
   * back, so the seq stays gap-free and the winner's message is the answer. Anything else is
   * rethrown.
   */
  private async answerLostRace(error: unknown, input: NewMessage): Promise<AppendResult> {
    if (this.adapter.isUniqueViolation(error) && input.clientId != null) {
      const original = await this.originalOf(this.db, input.senderId, input.conversationId, input.clientId);
      if (original) return { message: original, created: false };
    }
    throw error;
  }

  /**
   * The append inside a caller's transaction (a group of appends, a conversation created with its
   * first message), its outbox jobs included, so they commit or roll back with the message.
   */
  async appendIn(trx: Transaction<Database>, input: NewMessage): Promise<AppendResult> {
    if (input.clientId != null) {
      const original = await this.originalOf(trx, input.senderId, input.conversationId, input.clientId);
      if (original) return { message: original, created: false };
    }
    const timestamp = now();
    // The row update takes the conversation's write lock, so concurrent appenders queue here.
    const bumped = (await this.statements.bumpSeq.execute(trx, [timestamp, input.conversationId])).rows[0];
    if (!bumped) throw new AppError('conversation_not_found');
    const row = {
      // Time-ordered ids land at the end of the primary-key index: a group of appends dirties a
      // few index pages, not one random page per message (write volume per commit).
      id: timeOrderedId(),
      conversation_id: input.conversationId,
      seq: Number(bumped.last_seq),
      sender_id: input.senderId,
      kind: input.kind,
      content: input.content,
      attachments: JSON.stringify(input.attachments ?? []),
      reply_to: input.replyTo ?? null,
      metadata: JSON.stringify(input.metadata ?? {}),
      client_id: input.clientId ?? null,
      edited_at: null,
      deleted_at: null,
      hidden: 0,
      reported: 0,
      shadowed: input.shadowed === true ? 1 : 0,
      created_at: timestamp,
    };
    // The search index follows `search_text` by trigger (SQLite) or by index (PostgreSQL), in this transaction.
    await this.statements.insertMessage.execute(trx, [row.id, row.conversation_id, row.seq, row.sender_id, row.kind, row.content, row.attachments, row.reply_to, row.metadata, row.client_id, row.created_at, row.shadowed, normaliseForSearch(row.content)]);
    if (input.senderId !== null) await this.statements.moveSenderPointers.execute(trx, [row.seq, input.conversationId, input.senderId]);
    if (input.jobs !== undefined && input.jobs.length > 0) {
      await this.outbox.enqueueIn(trx, input.jobs.map((kind) => ({ id: `${row.id}:${kind}`, kind, subjectId: row.id })), timestamp);
    }
    if (input.conversationJobs !== undefined && input.conversationJobs.length > 0) {
      await this.outbox.enqueueIn(trx, input.conversationJobs.map((job) => conversationJobRow(input.conversationId, job, timestamp)), timestamp);
    }
    return { message: toMessage(row), created: true };
  }

  /** A client id names one message of one sender in one conversation. */
  private async originalOf(db: Kysely<Database>, senderId: string | null, conversationId: string, clientId: string): Promise<Message | undefined> {
    const { rows } = senderId === null ? await this.statements.selectSystemByClientId.execute(db, [conversationId, clientId]) : await this.statements.selectByClientId.execute(db, [senderId, conversationId, clientId]);
    return rows[0] && toMessage(rows[0]);
  }

  byClientId(senderId: string, conversationId: string, clientId: string): Promise<Message | undefined> {
    return this.originalOf(this.db, senderId, conversationId, clientId);
  }

  async byId(id: string): Promise<Message | undefined> {
    const row = (await this.statements.selectById.execute(this.db, [id])).rows[0];
    return row && toMessage(row);
  }

  async byIds(ids: readonly string[]): Promise<Message[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('messages').select(COLUMNS.messages).where('id', 'in', [...ids]).execute();
    return rows.map(toMessage);
  }

  async page(query: MessagePageQuery): Promise<{ messages: Message[]; hasMore: boolean }> {
    const forward = query.afterSeq !== undefined;
    // A missing bound is one no seq reaches, so both directions are one prepared statement each.
    const args = [query.conversationId, query.afterSeq ?? Number.MIN_SAFE_INTEGER, query.beforeSeq ?? Number.MAX_SAFE_INTEGER, query.limit + 1];
    const { rows } = await (forward ? this.statements.pageForward : this.statements.pageBackward).execute(this.db, args);
    const counted = Math.min(rows.length, query.limit);
    const taken = query.maxBytes === undefined ? counted : withinBytes(rows, counted, query.maxBytes);
    const page = rows.slice(0, taken).map(toMessage);
    return { messages: forward ? page : page.reverse(), hasMore: rows.length > taken };
  }

  async headersAfter(conversationId: string, afterSeq: number, limit: number): Promise<{ headers: MessageHeader[]; hasMore: boolean }> {
    const { rows } = await this.statements.headersAfter.execute(this.db, [conversationId, afterSeq, limit + 1]);
    const headers = rows.slice(0, limit).map(toMessageHeader);
    return { headers, hasMore: rows.length > limit };
  }

  async window(conversationId: string, skip: number, limit: number, maxBytes?: number): Promise<Message[]> {
    const rows = await this.db
      .selectFrom('messages')
      .select(COLUMNS.messages)
      .where('conversation_id', '=', conversationId)
      .orderBy('seq', 'desc')
      .limit(limit)
      .offset(skip)
      .execute();
    const taken = maxBytes === undefined ? rows.length : withinBytes(rows, rows.length, maxBytes);
    return rows.slice(0, taken).map(toMessage).reverse();
  }

  async update(id: string, patch: MessagePatch, jobs: readonly NewJob[] = []): Promise<Message> {
    if (jobs.length === 0) await this.updateIn(this.db, id, patch);
    else {
      await this.db.transaction().execute(async (trx) => {
        await this.updateIn(trx, id, patch);
        await this.outbox.enqueueIn(trx, jobs);
      });
    }
    const saved = await this.byId(id);
    if (!saved) throw new AppError('message_not_found');
    return saved;
  }

  private async updateIn(db: Kysely<Database>, id: string, patch: MessagePatch): Promise<void> {
    await db
      .updateTable('messages')
      .set({
        // An edit or delete re-indexes the message in the same statement (docs/search.md).
        ...(patch.content !== undefined && { content: patch.content, search_text: normaliseForSearch(patch.content) }),
        ...(patch.editedAt !== undefined && { edited_at: patch.editedAt }),
        ...(patch.deletedAt !== undefined && { deleted_at: patch.deletedAt }),
        ...(patch.hidden !== undefined && { hidden: patch.hidden ? 1 : 0 }),
        ...(patch.reported !== undefined && { reported: patch.reported ? 1 : 0 }),
        ...(patch.metadata !== undefined && { metadata: JSON.stringify(patch.metadata) }),
      })
      .where('id', '=', id)
      .execute();
  }
}

/** Coalesced job rows as the arrays the PostgreSQL append unnests: ids, kinds, due instants. */
function columnsOf(jobs: readonly NewJob[]): [string[], string[], string[]] {
  return [jobs.map((job) => job.id), jobs.map((job) => job.kind), jobs.map((job) => job.runAt!)];
}

const MESSAGE_COLUMNS = sql.join(COLUMNS.messages.map((c) => sql.ref(c)));

/** A conversation's messages strictly between two seqs, for the two page statements. */
const pageBetween = (db: Kysely<Database>) =>
  db.selectFrom('messages').select(COLUMNS.messages).where('conversation_id', '=', arg(0)).where('seq', '>', arg<number>(1)).where('seq', '<', arg<number>(2));

/** The statements of the message path, compiled once per store (see PreparedQuery). */
function messageStatements(adapter: DialectAdapter) {
  return {
    // Only where the dialect has data-modifying CTEs (PostgreSQL); arguments as in appendInOneStatement.
    appendInOneStatement: new PreparedQuery<MessageRow & { created: boolean }>(adapter, (db) => ({
      compile: () =>
        sql<MessageRow & { created: boolean }>`
          with existing as (
            select ${MESSAGE_COLUMNS} from messages where sender_id = ${arg(0)} and conversation_id = ${arg(3)} and client_id = ${arg(1)}
          ), bumped as (
            update conversations set last_seq = last_seq + 1, last_message_at = ${arg(2)}, last_activity_at = ${arg(2)}, updated_at = ${arg(2)}
            where id = ${arg(3)} and not exists (select 1 from existing)
            returning last_seq
          ), inserted as (
            insert into messages (id, conversation_id, seq, sender_id, kind, content, attachments, reply_to, metadata, client_id, edited_at, deleted_at, hidden, shadowed, created_at, search_text)
            select ${arg(4)}::text, ${arg(3)}::text, last_seq, ${arg(0)}::text, ${arg(5)}::text, ${arg(6)}::text, ${arg(7)}::text, ${arg(8)}::text, ${arg(9)}::text, ${arg(1)}::text, null, null, 0, ${arg(11)}::integer, ${arg(2)}::text, ${arg(12)}::text
            from bumped
            returning ${MESSAGE_COLUMNS}
          ), pointers as (
            update participants set last_read_seq = inserted.seq, last_delivered_seq = inserted.seq
            from inserted
            where participants.conversation_id = ${arg(3)} and participants.user_id = inserted.sender_id and participants.last_read_seq < inserted.seq
          ), jobs_written as (
            insert into jobs (id, kind, subject_id, payload, run_at, attempts, locked_until, last_error, created_at, completed_at, failed_at)
            select inserted.id || ':' || job_kind, job_kind, inserted.id, '{}', inserted.created_at, 0, null, null, inserted.created_at, null, null
            from inserted cross join unnest(${arg(10)}::text[]) as job_kind
          ), conversation_jobs_written as (
            insert into jobs (id, kind, subject_id, payload, run_at, attempts, locked_until, last_error, created_at, completed_at, failed_at, rerun)
            select job.id, job.kind, inserted.conversation_id, '{}', job.run_at, 0, null, null, inserted.created_at, null, null, 0
            from inserted cross join unnest(${arg(13)}::text[], ${arg(14)}::text[], ${arg(15)}::text[]) as job(id, kind, run_at)
            ${COALESCE_ON_CONFLICT}
          )
          select true as created, ${MESSAGE_COLUMNS} from inserted
          union all
          select false as created, ${MESSAGE_COLUMNS} from existing`.compile(db),
    })),
    selectById: new PreparedQuery(adapter, (db) => db.selectFrom('messages').select(COLUMNS.messages).where('id', '=', arg(0))),
    // Arguments: conversation id, after seq, before seq, limit.
    pageForward: new PreparedQuery(adapter, (db) => pageBetween(db).orderBy('seq', 'asc').limit(arg<number>(3))),
    pageBackward: new PreparedQuery(adapter, (db) => pageBetween(db).orderBy('seq', 'desc').limit(arg<number>(3))),
    // Arguments: conversation id, after seq, limit.
    headersAfter: new PreparedQuery(adapter, (db) =>
      db
        .selectFrom('messages')
        .select(MESSAGE_HEADER_COLUMNS)
        .where('conversation_id', '=', arg(0))
        .where('seq', '>', arg<number>(1))
        .orderBy('seq', 'asc')
        .limit(arg<number>(2)),
    ),
    selectByClientId: new PreparedQuery(adapter, (db) => db.selectFrom('messages').select(COLUMNS.messages).where('sender_id', '=', arg(0)).where('conversation_id', '=', arg(1)).where('client_id', '=', arg(2))),
    selectSystemByClientId: new PreparedQuery(adapter, (db) => db.selectFrom('messages').select(COLUMNS.messages).where('sender_id', 'is', null).where('conversation_id', '=', arg(0)).where('client_id', '=', arg(1))),
    bumpSeq: new PreparedQuery(adapter, (db) =>
      db
        .updateTable('conversations')
        .set((eb) => ({ last_seq: eb('last_seq', '+', 1), last_message_at: arg(0), last_activity_at: arg(0), updated_at: arg(0) }))
        .where('id', '=', arg(1))
        .returning('last_seq'),
    ),
    insertMessage: new PreparedQuery(adapter, (db) =>
      db.insertInto('messages').values({
        id: arg(0),
        conversation_id: arg(1),
        seq: arg<number>(2),
        sender_id: arg(3),
        kind: arg(4),
        content: arg(5),
        attachments: arg(6),
        reply_to: arg(7),
        metadata: arg(8),
        client_id: arg(9),
        edited_at: null,
        deleted_at: null,
        hidden: 0,
        shadowed: arg<number>(11),
        created_at: arg(10),
        search_text: arg(12),
      }),
    ),
    moveSenderPointers: new PreparedQuery(adapter, (db) =>
      db
        .updateTable('participants')
        .set({ last_read_seq: arg<number>(0), last_delivered_seq: arg<number>(0) })
        .where('conversation_id', '=', arg(1))
        .where('user_id', '=', arg(2))
        .where('last_read_seq', '<', arg<number>(0)),
    ),
  };
}
