import { sql, type Kysely, type Migration } from 'kysely';
import { createFts5Triggers, dropFts5Triggers } from './0012-search.js';
import type { MigrationCapabilities } from './index.js';

/**
 * SQLite's search index catches up after the commit instead of inside it (docs/search.md,
 * "Indexing"). Indexing a message's trigrams in its own transaction made each append's commit
 * write the index's segment too, and held every group commit longer. Now `search_watermark`
 * records the highest message rowid the index has caught up with; the indexer adds the visible
 * messages past it in batches and moves it, in one transaction. Searches read the index up to
 * the watermark and the few rows past it directly, so a message is found from its commit on.
 *
 * Edits, hides and deletes keep the index exact for the rows it has reached, as before; past the
 * watermark they change nothing, since the indexer reads each row as it is by then. A new row
 * never lands at or below the watermark, except one that reuses the rowid of the newest row after
 * that row was deleted; the insert trigger indexes that one at once. PostgreSQL's GIN index is
 * the database's own work and stays as it is.
 */
export function searchAfterCommit(capabilities: Pick<MigrationCapabilities, 'substringIndex'>): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (capabilities.substringIndex !== 'fts5-trigram') return;
      await sql`create table search_watermark (id integer primary key check (id = 1), indexed_through integer not null)`.execute(db);
      // Every message so far was indexed by the triggers being replaced.
      await sql`insert into search_watermark (id, indexed_through) select 1, coalesce(max(rowid), 0) from messages`.execute(db);
      await dropFts5Triggers(db);
      await createFts5Triggers(db, INDEXED_THROUGH);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      if (capabilities.substringIndex !== 'fts5-trigram') return;
      // Catch up first: the restored triggers index in the append's transaction and never look back.
      await sql`insert into message_search(rowid, search_text) select rowid, search_text from messages where rowid > ${INDEXED_THROUGH} and hidden = 0 and deleted_at is null`.execute(db);
      await dropFts5Triggers(db);
      await sql`drop table search_watermark`.execute(db);
      await createFts5Triggers(db);
    },
  };
}

export const INDEXED_THROUGH = sql<number>`(select indexed_through from search_watermark where id = 1)`;
