import type { CompiledQuery, DatabaseConnection, DatabaseIntrospector, Dialect, DialectAdapter, Driver, Kysely, QueryCompiler, QueryResult, TransactionSettings } from 'kysely';
import { AppError } from '../../core/errors.js';

/**
 * Wraps a dialect so that every driver failure meaning "the database cannot be reached" leaves
 * the store as `AppError('store_unavailable')` (HTTP 503, retryable), whatever the caller:
 * REST, the WebSocket gateways and background jobs all see the same code. Other failures
 * (constraint violations, bad SQL) pass through untouched, so repositories can still inspect
 * them.
 * @example new Kysely({ dialect: new StoreUnavailableDialect(new PostgresDialect({ pool }), isUnavailable) })
 */
export class StoreUnavailableDialect implements Dialect {
  constructor(
    private readonly inner: Dialect,
    private readonly isUnavailable: (error: unknown) => boolean,
  ) {}

  createDriver(): Driver {
    return new StoreUnavailableDriver(this.inner.createDriver(), (error) => translateUnavailable(error, this.isUnavailable));
  }

  createQueryCompiler(): QueryCompiler {
    return this.inner.createQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return this.inner.createAdapter();
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return this.inner.createIntrospector(db);
  }
}

type Translate = (error: unknown) => unknown;

/** The one translation of a driver error: `store_unavailable` when the database is unreachable. */
export function translateUnavailable(error: unknown, isUnavailable: (error: unknown) => boolean): unknown {
  if (error instanceof AppError || !isUnavailable(error)) return error;
  return Object.assign(new AppError('store_unavailable'), { cause: error });
}

async function guarded<T>(run: () => Promise<T>, translateError: Translate): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw translateError(error);
  }
}

/** The driver, with its connections wrapped; the inner driver always gets its own connections back. */
class StoreUnavailableDriver implements Driver {
  private readonly inners = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(
    private readonly inner: Driver,
    private readonly translate: Translate,
  ) {
    const savepoints = ['savepoint', 'rollbackToSavepoint', 'releaseSavepoint'] as const;
    for (const name of savepoints) {
      const method = inner[name]?.bind(inner);
      if (method) this[name] = (connection, savepoint, compile) => guarded(() => method(this.unwrap(connection), savepoint, compile), this.translate);
    }
  }

  savepoint?: Driver['savepoint'];
  rollbackToSavepoint?: Driver['rollbackToSavepoint'];
  releaseSavepoint?: Driver['releaseSavepoint'];

  init(): Promise<void> {
    return guarded(() => this.inner.init(), this.translate);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await guarded(() => this.inner.acquireConnection(), this.translate);
    const wrapped = new StoreUnavailableConnection(connection, this.translate);
    this.inners.set(wrapped, connection);
    return wrapped;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return guarded(() => this.inner.beginTransaction(this.unwrap(connection), settings), this.translate);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return guarded(() => this.inner.commitTransaction(this.unwrap(connection)), this.translate);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return guarded(() => this.inner.rollbackTransaction(this.unwrap(connection)), this.translate);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(this.unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }

  private unwrap(connection: DatabaseConnection): DatabaseConnection {
    return this.inners.get(connection) ?? connection;
  }
}

class StoreUnavailableConnection implements DatabaseConnection {
  constructor(
    private readonly inner: DatabaseConnection,
    private readonly translate: Translate,
  ) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return guarded(() => this.inner.executeQuery<R>(compiledQuery), this.translate);
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(compiledQuery, chunkSize);
    } catch (error) {
      throw this.translate(error);
    }
  }
}
