import { sql, type RawBuilder } from 'kysely';
import { AppError } from '../../core/errors.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import type { MessageSearchQuery, ReadScope, SearchHit, SearchRepository } from '../store.js';
import { COLUMNS } from './columns.js';
import { toMessage, type MessageRow } from './rows.js';

const MESSAGE_COLUMNS = sql.join(COLUMNS.messages.map((c) => sql.ref(`m.${c}`)));

/** The part of a search each index answers its own way: the match, the order, the cursor. */
interface SubstringIndex {
  /** `from … where <match>` over messages aliased `m`, and the position column. */
  source(text: string): RawBuilder<unknown>;
  position: RawBuilder<unknown>;
  /** Only hits older than the position; throws `validation_failed` for a foreign one. */
  olderThan(position: string): RawBuilder<unknown>;
  order: RawBuilder<unknown>;
}

/** FTS5 trigram phrase: the whole text as one phrase, so its trigrams must appear in a row, in order. */
const FTS5: SubstringIndex = {
  source: (text) => sql`message_search s join messages m on m.rowid = s.rowid where message_search match ${`"${text.replace(/"/g, '""')}"`}`,
  position: sql`s.rowid`,
  olderThan(position) {
    if (!/^\d{1,16}$/.test(position)) throw badCursor();
    return sql`s.rowid < ${Number(position)}`;
  },
  // The index walks its rowids backwards and stops at the limit: no sort of every match.
  order: sql`s.rowid desc`,
};

/** pg_trgm: `like` on the folded column, answered by the GIN index (partial over visible rows). */
const PG_TRGM: SubstringIndex = {
  source: (text) => sql`messages m where m.search_text like ${`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`,
  position: sql`m.id`,
  olderThan(position) {
    if (!/^[0-9a-f-]{36}$/.test(position)) throw badCursor();
    return sql`m.id < ${position}`;
  },
  // Message ids are time-ordered (UUIDv7), so id order is creation order.
  order: sql`m.id desc`,
};

function badCursor(): AppError {
  return new AppError('validation_failed', 'cursor is not one this search returned', [{ path: '/cursor', message: 'is not one this search returned' }]);
}

/** The conversations of the scope, as a condition on `m.conversation_id`. */
function inScope(scope: ReadScope): RawBuilder<unknown> | undefined {
  if (scope.kind === 'all') return undefined;
  const member = sql`m.conversation_id in (select conversation_id from participants where user_id = ${scope.userId} and left_at is null)`;
  if (scope.supportQueues.length === 0) return member;
  return sql`(${member} or m.conversation_id in (select conversation_id from support_cases where queue in (${sql.join([...scope.supportQueues])})))`;
}

export class KyselySearchRepository implements SearchRepository {
  private readonly index: SubstringIndex;

  constructor(private readonly adapter: DialectAdapter) {
    this.index = adapter.substringIndex === 'fts5-trigram' ? FTS5 : PG_TRGM;
  }

  async messages(query: MessageSearchQuery): Promise<SearchHit[]> {
    const conditions: RawBuilder<unknown>[] = [
      // The index holds visible rows only; stated again so PostgreSQL may use its partial index.
      sql`m.hidden = 0 and m.deleted_at is null`,
      query.viewerId === undefined ? sql`m.shadowed = 0` : sql`(m.shadowed = 0 or m.sender_id = ${query.viewerId})`,
    ];
    const scope = inScope(query.scope);
    if (scope) conditions.push(scope);
    if (query.conversationId !== undefined) conditions.push(sql`m.conversation_id = ${query.conversationId}`);
    if (query.contextType !== undefined) conditions.push(sql`m.conversation_id in (select id from conversations where context_type = ${query.contextType})`);
    if (query.senderId !== undefined) conditions.push(sql`m.sender_id = ${query.senderId}`);
    if (query.before !== undefined) conditions.push(sql`m.created_at < ${query.before}`);
    if (query.after !== undefined) conditions.push(sql`m.created_at > ${query.after}`);
    if (query.cursor !== undefined) conditions.push(this.index.olderThan(query.cursor));
    const { rows } = await sql<MessageRow & { position: string | number }>`
      select ${MESSAGE_COLUMNS}, ${this.index.position} as position
      from ${this.index.source(query.text)} and ${sql.join(conditions, sql` and `)}
      order by ${this.index.order}
      limit ${query.limit}`.execute(this.adapter.db);
    return rows.map(({ position, ...row }) => ({ message: toMessage(row), position: String(position) }));
  }
}
