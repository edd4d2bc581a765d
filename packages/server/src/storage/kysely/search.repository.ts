import { sql, type Kysely, type RawBuilder } from 'kysely';
import { AppError } from '../../core/errors.js';
import type { Database } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import type { MessageSearchQuery, ReadScope, SearchHit, SearchRepository } from '../store.js';
import { INDEXED_THROUGH } from '../migrations/0016-search-after-commit.js';
import { COLUMNS } from './columns.js';
import { toMessage, type MessageRow } from './rows.js';

const MESSAGE_COLUMNS = sql.join(COLUMNS.messages.map((c) => sql.ref(`m.${c}`)));

/**
 * Below this many messages in the conversations searched, reading them and testing each folded
 * text is cheaper than walking the index: a common trigram's matches across the whole store can
 * be a hundred times more than the searcher's own messages (docs/search.md, "Query plans").
 */
export const SCAN_AT_MOST = 20_000;

/** The part of a search each index answers its own way: the match, the order, the cursor. */
interface SubstringIndex {
  /** `from … where <match>` over messages aliased `m`: through the index, or by reading the scope's rows. */
  source(text: string, plan: 'index' | 'scan'): RawBuilder<unknown>;
  /** The newest-first key, returned as the hit's position. */
  position(plan: 'index' | 'scan'): RawBuilder<unknown>;
  /** Only hits older than the position; throws `validation_failed` for a foreign one. */
  olderThan(position: string, plan: 'index' | 'scan'): RawBuilder<unknown>;
  /** Whether a small scope is better read row by row than through the index (see `SCAN_AT_MOST`). */
  readonly scansSmallScopes: boolean;
  /**
   * Where the index catches up after the commit: the rows it has not reached yet, as a scan
   * source like `source(text, 'scan')`, searched together with it.
   */
  tail?(text: string): RawBuilder<unknown>;
  /** Indexes up to `limit` rows past the watermark and moves it, in `trx`; how many rows it passed. */
  catchUp?(trx: Kysely<Database>, limit: number): Promise<number>;
}

/**
 * FTS5 trigram: the whole text as one phrase, so its trigrams must follow one another, which is
 * a substring. Both plans order by the message's rowid, which is the index's key too.
 */
const FTS5: SubstringIndex = {
  source: (text, plan) =>
    plan === 'index'
      ? sql`message_search s join messages m on m.rowid = s.rowid where message_search match ${`"${text.replace(/"/g, '""')}"`}`
      : sql`messages m where instr(m.search_text, ${text}) > 0`,
  // Through the index, the index walks its rowids backwards and stops at the limit: no sort of every match.
  position: (plan) => (plan === 'index' ? sql`s.rowid` : sql`m.rowid`),
  olderThan(position, plan) {
    if (!/^\d{1,16}$/.test(position)) throw badCursor();
    return plan === 'index' ? sql`s.rowid < ${Number(position)}` : sql`m.rowid < ${Number(position)}`;
  },
  scansSmallScopes: true,
  // Not indexed: the rowid range past the watermark is the tail, and the scope's index would read the whole scope.
  tail: (text) => sql`messages m not indexed where m.rowid > ${INDEXED_THROUGH} and instr(m.search_text, ${text}) > 0`,
  async catchUp(trx, limit) {
    // A write first: the transaction takes the write lock before it reads anything, so another
    // process's commit meanwhile makes it wait (busy_timeout), never fail on a stale snapshot.
    const from = Number((await sql<{ from: number }>`update search_watermark set indexed_through = indexed_through where id = 1 returning indexed_through as "from"`.execute(trx)).rows[0]!.from);
    const { rows } = await sql<{ through: number | null; passed: number }>`
      select max(rowid) as through, count(*) as passed from (select rowid from messages where rowid > ${from} order by rowid limit ${limit})`.execute(trx);
    const { through, passed } = rows[0]!;
    if (through === null) return 0;
    await sql`insert into message_search(rowid, search_text) select rowid, search_text from messages where rowid > ${from} and rowid <= ${through} and hidden = 0 and deleted_at is null`.execute(trx);
    await sql`update search_watermark set indexed_through = ${through} where id = 1`.execute(trx);
    return Number(passed);
  },
};

/**
 * pg_trgm: `like` on the folded column, answered by the GIN index (partial over visible rows);
 * PostgreSQL's planner weighs it against the scope's own indexes by itself.
 */
const PG_TRGM: SubstringIndex = {
  source: (text) => sql`messages m where m.search_text like ${`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`,
  // Message ids are time-ordered (UUIDv7), so id order is creation order.
  position: () => sql`m.id`,
  olderThan(position) {
    if (!/^[0-9a-f-]{36}$/.test(position)) throw badCursor();
    return sql`m.id < ${position}`;
  },
  scansSmallScopes: false,
};

function badCursor(): AppError {
  return new AppError('validation_failed', 'cursor is not one this search returned', [{ path: '/cursor', message: 'is not one this search returned' }]);
}

/** The ids of the conversations in the scope, as a subquery; undefined for all of them. */
function scopeConversations(scope: ReadScope): RawBuilder<unknown> | undefined {
  if (scope.kind === 'all') return undefined;
  const member = sql`select conversation_id from participants where user_id = ${scope.userId} and left_at is null`;
  if (scope.supportQueues.length === 0) return member;
  return sql`${member} union select conversation_id from support_cases where queue in (${sql.join([...scope.supportQueues])})`;
}

export class KyselySearchRepository implements SearchRepository {
  private readonly index: SubstringIndex;

  private readonly scanAtMost: number;

  /** `scanAtMost`: see `SCAN_AT_MOST`; tests set -1 to always go through the index. */
  constructor(
    private readonly adapter: DialectAdapter,
    options: { readonly scanAtMost?: number } = {},
  ) {
    this.index = adapter.substringIndex === 'fts5-trigram' ? FTS5 : PG_TRGM;
    this.scanAtMost = options.scanAtMost ?? SCAN_AT_MOST;
  }

  private get db(): Kysely<Database> {
    return this.adapter.db;
  }

  async messages(query: MessageSearchQuery): Promise<SearchHit[]> {
    const scope = scopeConversations(query.scope);
    const plan = this.index.scansSmallScopes && (await this.isSmall(query, scope)) ? 'scan' : 'index';
    const filters: RawBuilder<unknown>[] = [
      // The index holds visible rows only; stated again for the scan, and so PostgreSQL may use its partial index.
      sql`m.hidden = 0 and m.deleted_at is null`,
      query.viewerId === undefined ? sql`m.shadowed = 0` : sql`(m.shadowed = 0 or m.sender_id = ${query.viewerId})`,
    ];
    if (scope) filters.push(sql`m.conversation_id in (${scope})`);
    if (query.conversationId !== undefined) filters.push(sql`m.conversation_id = ${query.conversationId}`);
    if (query.contextType !== undefined) filters.push(sql`m.conversation_id in (select id from conversations where context_type = ${query.contextType})`);
    if (query.senderId !== undefined) filters.push(sql`m.sender_id = ${query.senderId}`);
    if (query.before !== undefined) filters.push(sql`m.created_at < ${query.before}`);
    if (query.after !== undefined) filters.push(sql`m.created_at > ${query.after}`);
    const select = (source: RawBuilder<unknown>, at: 'index' | 'scan') => {
      const conditions = query.cursor === undefined ? filters : [...filters, this.index.olderThan(query.cursor, at)];
      const position = this.index.position(at);
      return sql`select ${MESSAGE_COLUMNS}, ${position} as position from ${source} and ${sql.join(conditions, sql` and `)} order by ${position} desc limit ${query.limit}`;
    };
    const found = select(this.index.source(query.text, plan), plan);
    // Rows past the watermark are newer than every indexed one; one statement reads both parts
    // from one snapshot, so a row the indexer reaches meanwhile is never counted twice or missed.
    const statement = plan === 'index' && this.index.tail
      ? sql`select * from (${found}) union all select * from (${select(this.index.tail(query.text), 'scan')}) order by position desc limit ${query.limit}`
      : found;
    const { rows } = await sql<MessageRow & { position: string | number }>`${statement}`.execute(this.db);
    return rows.map(({ position: at, ...row }) => ({ message: toMessage(row), position: String(at) }));
  }

  async catchUp(limit: number): Promise<number> {
    const { catchUp } = this.index;
    if (!catchUp) return 0;
    // Asked on the reader first: a current index costs the writer's connection nothing.
    const { rows } = await sql<{ one: number }>`select 1 as one from messages where rowid > ${INDEXED_THROUGH} limit 1`.execute(this.db);
    return rows.length === 0 ? 0 : this.adapter.bookkeeping((trx) => catchUp(trx, limit));
  }

  /** Whether the conversations searched hold few enough messages to read them all (`SCAN_AT_MOST`). */
  private async isSmall(query: MessageSearchQuery, scope: RawBuilder<unknown> | undefined): Promise<boolean> {
    if (this.scanAtMost < 0) return false;
    const among = query.conversationId !== undefined ? sql`id = ${query.conversationId}` : scope ? sql`id in (${scope})` : undefined;
    if (!among) return false;
    const { rows } = await sql<{ total: number | null }>`select sum(last_seq) as total from conversations where ${among}`.execute(this.db);
    return Number(rows[0]?.total ?? 0) <= this.scanAtMost;
  }
}
