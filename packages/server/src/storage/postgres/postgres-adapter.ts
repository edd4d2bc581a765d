import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';

export interface PostgresAdapterOptions {
  readonly connectionString: string;
  /** Pool size per node. @default 10 */
  readonly max?: number;
}

// int8 columns (seqs, epoch seconds) fit well within 2^53; read them as numbers, not strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** PostgreSQL through a pg pool. */
export function createPostgresAdapter(options: PostgresAdapterOptions): DialectAdapter {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.max ?? 10 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return {
    name: 'postgres',
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    isUniqueViolation: (error) => pgCode(error) === '23505',
    isUnavailable: (error) => {
      const code = pgCode(error) ?? '';
      return code.startsWith('08') || code === '57P01' || code === '57P03' || code === 'ECONNREFUSED' || code === 'ECONNRESET';
    },
  };
}

function pgCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
