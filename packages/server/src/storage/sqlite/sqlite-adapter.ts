import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, SqliteDialect, type CompiledQuery, type QueryResult } from 'kysely';
import type { Database as Schema } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import { StoreUnavailableDialect, translateUnavailable } from '../kysely/store-unavailable-dialect.js';
import { withStatementCache } from './statement-cache.js';
import { SyncedSqliteDialect } from './synced-sqlite-dialect.js';
import { WalSync } from './wal-sync.js';

export interface SqliteAdapterOptions {
  /** File path, or `:memory:`. */
  readonly filename: string;
}

/**
 * SQLite through better-sqlite3 in WAL mode. Every commit is fsynced before it counts as done, so
 * an acknowledged message survives power loss, not only a process crash. The fsync runs on the
 * thread pool (`WalSync`, with `synchronous=NORMAL` so SQLite does not also do it on the event
 * loop): as durable as `synchronous=FULL`, without stalling every socket for each commit.
 */
export function createSqliteAdapter(options: SqliteAdapterOptions): DialectAdapter {
  if (options.filename !== ':memory:') mkdirSync(dirname(options.filename), { recursive: true });
  const database = new Database(options.filename);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // 64 MiB of page cache (the default is 2 MiB): the hot pages of a busy store stay in memory.
  database.pragma('cache_size = -65536');
  const isUnavailable = (error: unknown) => ['SQLITE_BUSY', 'SQLITE_CANTOPEN', 'SQLITE_IOERR'].includes(sqliteCode(error) ?? '');
  const statements = withStatementCache(database);
  const wal = new WalSync(`${options.filename}-wal`);
  const dialect = options.filename === ':memory:' ? new SqliteDialect({ database: statements }) : new SyncedSqliteDialect({ database: statements }, wal, () => database.inTransaction);
  const db = new Kysely<Schema>({ dialect: new StoreUnavailableDialect(dialect, isUnavailable) });
  return {
    name: 'sqlite',
    connections: 1,
    db,
    // better-sqlite3 runs statements synchronously: with no transaction open and no commit
    // waiting for its fsync, a read run now sees only durable, committed data. Writes outside a
    // transaction go through Kysely, which syncs them.
    runNow<R>(query: CompiledQuery<R>, insideTransaction: boolean): QueryResult<R> | undefined {
      if (!insideTransaction && (database.inTransaction || wal.pending)) return undefined;
      try {
        const statement = statements.prepare(query.sql);
        if (statement.reader) return { rows: statement.all(query.parameters) as R[] };
        if (!insideTransaction) return undefined;
        const { changes } = statement.run(query.parameters);
        return { rows: [], numAffectedRows: BigInt(changes) };
      } catch (error) {
        throw translateUnavailable(error, isUnavailable);
      }
    },
    isUniqueViolation: (error) => sqliteCode(error)?.startsWith('SQLITE_CONSTRAINT_UNIQUE') === true
      || sqliteCode(error) === 'SQLITE_CONSTRAINT_PRIMARYKEY',
    isUnavailable,
  };
}

function sqliteCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}
