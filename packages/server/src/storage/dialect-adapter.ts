import type { CompiledQuery, Expression, Kysely, QueryResult, RawBuilder } from 'kysely';
import type { Database } from './database.js';

/**
 * What differs between the databases, kept behind one seam. The repositories are written once
 * against Kysely and ask the adapter only these questions.
 */
export interface DialectAdapter {
  /** A short name for logs and metrics. */
  readonly name: string;
  /**
   * Whether this process is the database's only writer (an embedded file), so rows kept in
   * memory stay true as long as the store forgets them when it changes them.
   */
  readonly exclusive: boolean;
  /**
   * Whether Kysely's migrator locks other processes out while it migrates (PostgreSQL's advisory
   * lock). Without it (SQLite), two processes may start the same migration; see `KyselyStore.migrate`.
   */
  readonly migratorLocks: boolean;
  /** Whether `WITH` may hold INSERT/UPDATE (PostgreSQL), so a multi-step write is one statement. */
  readonly writableCtes: boolean;
  /**
   * Whether `SELECT … FOR UPDATE SKIP LOCKED` exists (PostgreSQL), so nodes claiming outbox jobs
   * at the same moment each take rows the others have not locked, instead of queueing behind one
   * another or taking the same row twice. A dialect without it must have one writer (SQLite),
   * where a claiming statement is atomic on its own.
   */
  readonly skipLocked: boolean;
  /**
   * Whether a table's constraints can be dropped and added in place (`ALTER TABLE … DROP
   * CONSTRAINT`, PostgreSQL). Without it (SQLite) a migration that changes one rebuilds the table.
   */
  readonly alterConstraints: boolean;
  /**
   * How message text is indexed for substring search (docs/search.md): `fts5-trigram`, an FTS5
   * external-content table with the trigram tokenizer kept by triggers (SQLite); `pg-trgm`, a
   * `pg_trgm` GIN index on `messages.search_text` (PostgreSQL).
   */
  readonly substringIndex: 'fts5-trigram' | 'pg-trgm';
  /** The query builder, connected. */
  readonly db: Kysely<Database>;
  /**
   * Runs `work` in one transaction whose commit returns without waiting for the disk (SQLite
   * `synchronous = NORMAL` for that commit, PostgreSQL `synchronous_commit = off`). A process
   * crash keeps it; a power loss or an operating-system crash may undo it (the database stays
   * consistent, and the next durable commit makes it durable too). Only for bookkeeping that a
   * re-run repairs (an outbox job's claim or settlement, a scheduler's cursor), never for
   * anything a client was told is stored: those commit durably, as every other transaction does.
   */
  bookkeeping<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * Runs a compiled query synchronously when that is safe, skipping Kysely's connection queue:
   * inside the caller's own transaction (`insideTransaction`), or when no transaction is open on
   * the connection (so nothing uncommitted can be read). Returns `undefined` when the query must
   * wait its turn through Kysely instead. Dialects with a connection pool leave it out.
   */
  runNow?<R>(query: CompiledQuery<R>, insideTransaction: boolean): QueryResult<R> | undefined;
  /**
   * Marks a statement as run often, so the dialect may keep it prepared on the server (parsed and
   * planned once per connection). The text must select named columns, never `*`.
   */
  keepPrepared?(sql: string): void;
  /**
   * An ISO-8601 UTC timestamp column as whole milliseconds since the epoch, exact on every
   * dialect, so durations (delivery latency) are computed and ordered in SQL alike everywhere.
   */
  epochMillis(timestamp: Expression<string>): RawBuilder<number>;
  /** True when the error is a unique-constraint violation (a lost race, a taken key). */
  isUniqueViolation(error: unknown): boolean;
  /** True when the error means the database could not be reached, so the call may be retried. */
  isUnavailable(error: unknown): boolean;
}
