import { Kysely, PostgresAdapter, PostgresDialect, sql, type DialectAdapter as KyselyDialectAdapter, type Kysely as KyselyInstance, type MigrationLockOptions } from 'kysely';
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
  /**
   * Longest a statement may run, in ms: PostgreSQL cancels it (`statement_timeout`) and ends a
   * session left idle inside a transaction that long (`idle_in_transaction_session_timeout`,
   * so a node cut off mid-transaction does not hold its row locks); and a connection that has
   * not answered a query within this plus `STALL_GRACE_MS` is presumed stalled and dropped, so
   * the call fails as `store_unavailable` instead of waiting forever. Migrations are exempt
   * (they may wait for another node's, or rewrite a large table). @default 5000
   */
  readonly statementTimeoutMs?: number;
}

/**
 * How much longer than the statement timeout an answer may take before the connection counts as
 * stalled: on a live connection PostgreSQL cancels the statement first and says so.
 */
const STALL_GRACE_MS = 1000;
/**
 * Run by migrations on their connection (they lock, then migrate, on one): no server-side limit
 * for the rest of the session, and none on the client for that connection (the watchdog knows
 * these texts). `BOUNDED_AGAIN` restores the limits given at connect, before the connection goes
 * back to the pool. Simple-protocol queries, so each may hold two statements.
 */
const UNBOUNDED = 'set statement_timeout = 0; set idle_in_transaction_session_timeout = 0';
const BOUNDED_AGAIN = 'reset statement_timeout; reset idle_in_transaction_session_timeout';

// int8 columns (seqs, epoch seconds) fit well within 2^53; read them as numbers, not strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Network failures, by Node's system error codes. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/**
 * What pg and pg-pool throw, without a code, when a connection is lost or cannot be made in time
 * (pg/lib/client.js, pg-pool/index.js).
 */
const LOST_CONNECTION = /^(Connection terminated|timeout exceeded when trying to connect|timeout expired|Client has encountered a connection error|Query read timeout)/;
/** PostgreSQL cancelled the statement (`statement_timeout`, or an operator): the same call may succeed later. */
const QUERY_CANCELED = '57014';
/** The server ended a session idle in its transaction too long: this node stalled mid-transaction. */
const IDLE_IN_TRANSACTION_TIMEOUT = '25P03';

/** PostgreSQL through a pg pool. */
export function createPostgresAdapter(options: PostgresAdapterOptions): DialectAdapter {
  const statementTimeoutMs = options.statementTimeoutMs ?? 5000;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    // Without it a connection attempt to an unreachable server waits forever, and so does the request.
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    statement_timeout: statementTimeoutMs,
    idle_in_transaction_session_timeout: statementTimeoutMs,
    keepAlive: true,
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
    watchForStalls(client, statementTimeoutMs + STALL_GRACE_MS);
  });
  const isUnavailable = (error: unknown): boolean => {
    const code = pgCode(error) ?? '';
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300' || NETWORK_CODES.has(code)) return true;
    if (code === QUERY_CANCELED || code === IDLE_IN_TRANSACTION_TIMEOUT) return true;
    return error instanceof Error && code === '' && LOST_CONNECTION.test(error.message);
  };
  const db = new Kysely<Database>({ dialect: new StoreUnavailableDialect(new UnboundedMigrationsDialect({ pool }), isUnavailable) });
  return {
    name: 'postgres',
    exclusive: false,
    migratorLocks: true,
    writableCtes: true,
    alterConstraints: true,
    substringIndex: 'pg-trgm',
    skipLocked: true,
    db,
    bookkeeping: (work) =>
      db.transaction().execute(async (trx) => {
        await sql`set local synchronous_commit = off`.execute(trx);
        return work(trx);
      }),
    keepPrepared: (sql) => named.add(sql),
    // extract() answers numeric (exact); the column is text, so it is parsed as a timestamptz first.
    epochMillis: (timestamp) => sql<number>`cast(round(extract(epoch from cast(${timestamp} as timestamptz)) * 1000) as bigint)`,
    isUniqueViolation: (error) => pgCode(error) === '23505',
    isUnavailable,
  };
}

/**
 * Drops a connection that leaves a query unanswered for `stallMs`: a partition keeps the socket
 * open and silent, and neither pg nor TCP would notice for minutes. Destroying the socket fails
 * the query (and any queued behind it) as a lost connection, and the pool discards the client.
 * A connection that ran `UNBOUNDED` (a migration's) is not watched until it runs `BOUNDED_AGAIN`.
 */
function watchForStalls(client: pg.PoolClient, stallMs: number): void {
  const query = client.query.bind(client) as (config: unknown, values?: unknown) => unknown;
  const stream = (client as unknown as { connection?: { stream?: { destroy(error?: Error): void } } }).connection?.stream;
  let unbounded = false;
  client.query = function (config: unknown, values?: unknown) {
    if (config === UNBOUNDED) unbounded = true;
    if (config === BOUNDED_AGAIN) unbounded = false;
    const result = query(config, values);
    if (unbounded || !(result instanceof Promise)) return result;
    const timer = setTimeout(() => stream?.destroy(new Error(`Connection terminated: PostgreSQL did not answer within ${stallMs} ms`)), stallMs);
    return result.finally(() => clearTimeout(timer));
  } as typeof client.query;
}

/** Kysely's PostgreSQL dialect, with migrations run on an unbounded connection (see `UNBOUNDED`). */
class UnboundedMigrationsDialect extends PostgresDialect {
  override createAdapter(): KyselyDialectAdapter {
    return new UnboundedMigrationsAdapter();
  }
}

class UnboundedMigrationsAdapter extends PostgresAdapter {
  override async acquireMigrationLock(db: KyselyInstance<any>, options: MigrationLockOptions): Promise<void> {
    await sql.raw(UNBOUNDED).execute(db);
    await super.acquireMigrationLock(db, options);
  }

  override async releaseMigrationLock(db: KyselyInstance<any>, options: MigrationLockOptions): Promise<void> {
    try {
      await super.releaseMigrationLock(db, options);
    } finally {
      await sql.raw(BOUNDED_AGAIN).execute(db);
    }
  }
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
