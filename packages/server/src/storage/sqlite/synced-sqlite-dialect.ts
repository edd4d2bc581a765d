import { SqliteDialect, SqliteDriver, type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, type SqliteDialectConfig } from 'kysely';
import type { WalSync } from './wal-sync.js';

/**
 * Kysely's SQLite dialect with durable commits: a COMMIT, and any write run outside a
 * transaction, resolves only after the WAL is fsynced (`WalSync`). Kysely holds its connection
 * lock until then, so no other query runs in between.
 */
export class SyncedSqliteDialect extends SqliteDialect {
  constructor(
    private readonly config: SqliteDialectConfig,
    private readonly wal: WalSync,
    private readonly inTransaction: () => boolean,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new SyncedSqliteDriver(this.config, this.wal, this.inTransaction);
  }
}

class SyncedSqliteDriver extends SqliteDriver {
  private readonly connections = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(
    config: SqliteDialectConfig,
    private readonly wal: WalSync,
    private readonly inTransaction: () => boolean,
  ) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await super.acquireConnection();
    let wrapped = this.connections.get(inner);
    if (!wrapped) {
      const { wal, inTransaction } = this;
      wrapped = {
        async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
          const result = await inner.executeQuery<R>(query);
          // Statements that are not queries report affected rows; one that leaves no transaction
          // open committed something: a COMMIT, or a write on its own.
          if (result.numAffectedRows !== undefined && !inTransaction()) await wal.sync();
          return result;
        },
        streamQuery: (query, chunkSize) => inner.streamQuery(query, chunkSize),
      };
      this.connections.set(inner, wrapped);
    }
    return wrapped;
  }

  override async destroy(): Promise<void> {
    await this.wal.close();
    await super.destroy();
  }
}
