import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database as Schema } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import { StoreUnavailableDialect } from '../kysely/store-unavailable-dialect.js';
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
  const isUnavailable = (error: unknown) => ['SQLITE_BUSY', 'SQLITE_CANTOPEN', 'SQLITE_IOERR'].includes(sqliteCode(error) ?? '');
  const db = new Kysely<Schema>({ dialect: new StoreUnavailableDialect(new SqliteDialect({ database: withStatementCache(database) }), isUnavailable) });
  return {
    name: 'sqlite',
    db,
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
