import { sql, type Kysely, type Migration, type RawBuilder } from 'kysely';
import { normaliseForSearch } from '../../search/search-text.js';
import type { MigrationCapabilities } from './index.js';

/** Rows folded per statement while an existing store is backfilled: bounded memory, steady progress. */
const BACKFILL_BATCH = 2000;

/**
 * Substring search of message text (docs/search.md). Every message gets `search_text`, its
 * content folded by the one search normaliser, written by the repositories with the content. Each
 * dialect indexes it its own way:
 * - SQLite: `message_search`, an FTS5 external-content table over `messages.search_text`
 *   (trigram tokenizer, so any 3 characters match inside words), kept by triggers in the
 *   transaction of every insert, edit, hide and delete; hidden and deleted messages are never in it.
 * - PostgreSQL: a `pg_trgm` GIN index on `search_text`, partial over visible, undeleted messages.
 * Existing messages are folded here, in batches, before the index is built.
 */
export function search(capabilities: Pick<MigrationCapabilities, 'substringIndex'>): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('messages').addColumn('search_text', 'text', (c) => c.notNull().defaultTo('')).execute();
      await backfill(db);
      if (capabilities.substringIndex === 'fts5-trigram') await createFts5Index(db);
      else await createTrigramIndex(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      if (capabilities.substringIndex === 'fts5-trigram') {
        await dropFts5Triggers(db);
        await sql`drop table if exists message_search`.execute(db);
      } else {
        await sql`drop index if exists messages_search_trgm`.execute(db);
      }
      await db.schema.alterTable('messages').dropColumn('search_text').execute();
    },
  };
}

/** Folds the content of every message with content, in id order, a batch per statement. */
async function backfill(db: Kysely<unknown>): Promise<void> {
  let after = '';
  for (;;) {
    const { rows } = await sql<{ id: string; content: string }>`select id, content from messages where id > ${after} and content <> '' order by id limit ${BACKFILL_BATCH}`.execute(db);
    if (rows.length === 0) return;
    const folded = rows.map((row) => ({ id: row.id, text: normaliseForSearch(row.content) }));
    // One statement per batch, in the syntax both dialects share (a named CTE, `update … from`).
    const values = sql.join(folded.map((row) => sql`(${row.id}, ${row.text})`));
    await sql`with folded(id, text) as (values ${values}) update messages set search_text = folded.text from folded where messages.id = folded.id`.execute(db);
    after = rows[rows.length - 1]!.id;
  }
}

/** A visible message: what the index holds. */
const VISIBLE = (row: 'new' | 'old') => sql.raw(`${row}.hidden = 0 and ${row}.deleted_at is null`);

async function createFts5Index(db: Kysely<unknown>): Promise<void> {
  // External content: the index keeps trigrams only, the text stays in `messages`.
  await sql`create virtual table message_search using fts5(search_text, content='messages', content_rowid='rowid', tokenize='trigram remove_diacritics 1')`.execute(db);
  await sql`insert into message_search(rowid, search_text) select rowid, search_text from messages where hidden = 0 and deleted_at is null`.execute(db);
  await createFts5Triggers(db);
}

/**
 * The triggers that keep the index exact on every insert, edit, hide and delete, in the change's
 * own transaction. With `reached` (0016), only for rows the index has caught up with: the rowid
 * at or below that expression.
 */
export async function createFts5Triggers(db: Kysely<unknown>, reached?: RawBuilder<number>): Promise<void> {
  const within = (row: 'new' | 'old') => (reached ? sql` and ${sql.raw(row)}.rowid <= ${reached}` : sql``);
  await sql`create trigger message_search_insert after insert on messages when ${VISIBLE('new')}${within('new')} begin
    insert into message_search(rowid, search_text) values (new.rowid, new.search_text);
  end`.execute(db);
  // An external-content index forgets a row only when told exactly what it indexed: the old text.
  await sql`create trigger message_search_update after update of search_text, hidden, deleted_at on messages
    when (old.search_text is not new.search_text or old.hidden is not new.hidden or (old.deleted_at is null) is not (new.deleted_at is null))${within('old')}
  begin
    insert into message_search(message_search, rowid, search_text) select 'delete', old.rowid, old.search_text where ${VISIBLE('old')};
    insert into message_search(rowid, search_text) select new.rowid, new.search_text where ${VISIBLE('new')};
  end`.execute(db);
  await sql`create trigger message_search_delete after delete on messages when ${VISIBLE('old')}${within('old')} begin
    insert into message_search(message_search, rowid, search_text) values ('delete', old.rowid, old.search_text);
  end`.execute(db);
}

export async function dropFts5Triggers(db: Kysely<unknown>): Promise<void> {
  for (const trigger of ['message_search_insert', 'message_search_update', 'message_search_delete']) await sql`drop trigger if exists ${sql.ref(trigger)}`.execute(db);
}

async function createTrigramIndex(db: Kysely<unknown>): Promise<void> {
  // A trusted extension since PostgreSQL 13: the database owner may create it.
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create index messages_search_trgm on messages using gin (search_text gin_trgm_ops) where hidden = 0 and deleted_at is null`.execute(db);
}
