import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import { StoreUnavailableDialect } from '../kysely/store-unavailable-dialect.js';

export interface PostgresAdapterOptions {
  readonly connectionString: string;
  /** Pool size per node. @default 10 */
  readonly max?: number;
  /**
   * How long taking a connection may wait (for a free pool slot or for PostgreSQL to answer a new
   * connection), in ms, before the call fails as `store_unavailable`. @default 5000
   */
  readonly connectionTimeoutMs?: number;
}

// int8 columns (seqs, epoch seconds) fit well within 2^53; read them as numbers, not strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Network failures, by Node's system error codes. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/**
 * What pg and pg-pool throw, without a code, when a connection is lost or cannot be made in time
 * (pg/lib/client.js, pg-pool/index.js).
 */
const LOST_CONNECTION = /^(Connection terminated|timeout exceeded when trying to connect|timeout expired|Client has encountered a connection error)/;

/** PostgreSQL through a pg pool. */
export function createPostgresAdapter(options: PostgresAdapterOptions): DialectAdapter {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    // Without it a connection attempt to an unreachable server waits forever, and so does the request.
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Nor may a checked-out one: pg emits 'error' on the client as well as failing its query, and
  // pg-pool listens only while the client is idle, so an unheard 'error' would end the process.
  // The query's own failure reports it; the pool discards the broken client on release.
  const named = new NamedStatements();
  pool.on('connect', (client) => {
    client.on('error', () => {});
    named.attach(client);
  });
  const isUnavailable = (error: unknown): boolean => {
    const code = pgCode(error) ?? '';
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300' || NETWORK_CODES.has(code)) return true;
    return error instanceof Error && code === '' && LOST_CONNECTION.test(error.message);
  };
  return {
    name: 'postgres',
    exclusive: false,
    writableCtes: true,
    alterConstraints: true,
    skipLocked: true,
    db: new Kysely<Database>({ dialect: new StoreUnavailableDialect(new PostgresDialect({ pool }), isUnavailable) }),
    keepPrepared: (sql) => named.add(sql),
    isUniqueViolation: (error) => pgCode(error) === '23505',
    isUnavailable,
  };
}

/**
 * The hot statements, run as named prepared statements: pg parses and plans each once per
 * connection instead of on every call (which cost the send path ~40 % of its throughput).
 */
class NamedStatements {
  private readonly names = new Map<string, string>();

  add(sql: string): void {
    if (!this.names.has(sql)) this.names.set(sql, `switchboard_${this.names.size + 1}`);
  }

  /** Routes the client's plain `query(text, values)` calls for known texts to named statements. */
  attach(client: pg.PoolClient): void {
    const query = client.query.bind(client) as (config: unknown, values?: unknown) => Promise<unknown>;
    const names = this.names;
    client.query = function (config: unknown, values?: unknown) {
      const name = typeof config === 'string' ? names.get(config) : undefined;
      return name === undefined ? query(config, values) : query({ name, text: config, values });
    } as typeof client.query;
  }
}

function pgCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
