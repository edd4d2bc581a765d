import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, sql, SqliteDialect, type CompiledQuery, type QueryResult } from 'kysely';
import type { Database as Schema } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import { StoreUnavailableDialect, translateUnavailable } from '../kysely/store-unavailable-dialect.js';
import { withStatementCache } from './statement-cache.js';

export interface SqliteAdapterOptions {
  /** File path, or `:memory:`. */
  readonly filename: string;
}

/**
 * SQLite through better-sqlite3 in WAL mode. `synchronous=FULL` keeps an acknowledged message on
 * disk across power loss, not only across a process crash.
 */
export function createSqliteAdapter(options: SqliteAdapterOptions): DialectAdapter {
  if (options.filename !== ':memory:') mkdirSync(dirname(options.filename), { recursive: true });
  const database = new Database(options.filename);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // 64 MiB of page cache (the default is 2 MiB): the hot pages of a busy store stay in memory.
  database.pragma('cache_size = -65536');
  const isUnavailable = (error: unknown) => ['SQLITE_BUSY', 'SQLITE_CANTOPEN', 'SQLITE_IOERR'].includes(sqliteCode(error) ?? '');
  const statements = withStatementCache(database);
  const reads = options.filename === ':memory:' ? undefined : openReader(options.filename);
  // Kysely closes the database it was given when the store closes; the reader goes with it.
  const driverDatabase = { ...statements, close: () => (reads?.close(), statements.close()) };
  const db = new Kysely<Schema>({ dialect: new StoreUnavailableDialect(new SqliteDialect({ database: driverDatabase }), isUnavailable) });
  return {
    name: 'sqlite',
    exclusive: true,
    migratorLocks: false,
    writableCtes: false,
    alterConstraints: false,
    substringIndex: 'fts5-trigram',
    skipLocked: false,
    db,
    // better-sqlite3 runs statements synchronously. Inside the caller's transaction they run on
    // the writer. Outside one, reads run on the writer while it has no transaction open (they see
    // only committed data, from the writer's warm page cache), and on the reader connection while
    // it has: a WAL snapshot of what was committed, never waiting for the writer. The reader is
    // the second choice because SQLite empties a connection's page cache whenever another one
    // has written since its last read, so under a steady flow of commits each of its reads starts
    // cold. Writes outside a transaction wait their turn through Kysely, except in memory.
    runNow<R>(query: CompiledQuery<R>, insideTransaction: boolean): QueryResult<R> | undefined {
      try {
        const connection = insideTransaction || !database.inTransaction ? statements : reads;
        if (!connection) return undefined;
        const statement = connection.prepare(query.sql);
        if (statement.reader) return { rows: statement.all(query.parameters) as R[] };
        if (!insideTransaction && reads) return undefined;
        const { changes } = statement.run(query.parameters);
        return { rows: [], numAffectedRows: BigInt(changes) };
      } catch (error) {
        throw translateUnavailable(error, isUnavailable);
      }
    },
    // Holding the one connection keeps every other write out until `synchronous` is FULL again
    // (runNow writes outside a transaction only to an in-memory database, which never syncs).
    bookkeeping: (work) =>
      db.connection().execute(async (connection) => {
        database.pragma('synchronous = NORMAL');
        try {
          return await connection.transaction().execute(work);
        } finally {
          database.pragma('synchronous = FULL');
        }
      }),
    // julianday() holds the instant as whole milliseconds internally; rounding undoes the division.
    epochMillis: (timestamp) => sql<number>`cast(round((julianday(${timestamp}) - 2440587.5) * 86400000.0) as integer)`,
    isUniqueViolation: (error) => sqliteCode(error)?.startsWith('SQLITE_CONSTRAINT_UNIQUE') === true
      || sqliteCode(error) === 'SQLITE_CONSTRAINT_PRIMARYKEY',
    isUnavailable,
  };
}

/** A second, read-only connection to the same file, for reads that must not queue behind writes. */
function openReader(filename: string) {
  const reader = new Database(filename);
  reader.pragma('query_only = ON');
  reader.pragma('busy_timeout = 5000');
  return withStatementCache(reader);
}

function sqliteCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}
