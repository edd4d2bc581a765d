import { join } from 'node:path';
import type { Config } from '../core/config.js';
import { KyselyStore } from './kysely/kysely-store.js';
import { createSqliteAdapter } from './sqlite/sqlite-adapter.js';
import type { Store } from './store.js';

/** Opens the store the configuration names and brings its schema up to date. */
export async function openStore(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'databasePoolSize' | 'databaseConnectTimeoutMs' | 'databaseStatementTimeoutMs'>): Promise<Store> {
  const adapter = config.databaseUrl
    ? (await import('./postgres/postgres-adapter.js')).createPostgresAdapter({
        connectionString: config.databaseUrl,
        max: config.databasePoolSize,
        connectionTimeoutMs: config.databaseConnectTimeoutMs,
        statementTimeoutMs: config.databaseStatementTimeoutMs,
      })
    : createSqliteAdapter({ filename: join(config.dataDir, 'switchboard.db') });
  const store = new KyselyStore(adapter);
  await store.migrate();
  return store;
}
