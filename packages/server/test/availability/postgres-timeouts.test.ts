import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.js';
import { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
import { createPostgresAdapter } from '../../src/storage/postgres/postgres-adapter.js';
import type { DialectAdapter } from '../../src/storage/dialect-adapter.js';
import { requiredService } from '../support/required-service.js';
import { createScratchPostgres, dropScratchPostgres, type ScratchPostgres } from '../support/scratch-postgres.js';

const adminUrl = requiredService('TEST_DATABASE_URL', 'PostgreSQL');
/** The lock Kysely's migrator takes (kysely/dist/esm/dialect/postgres/postgres-adapter.js). */
const MIGRATION_LOCK_ID = '3853314791062309107';
const STATEMENT_TIMEOUT_MS = 300;

describe.runIf(adminUrl)('PostgreSQL statement timeouts', () => {
  let database: ScratchPostgres;
  const adapters: DialectAdapter[] = [];
  const adapter = () => {
    const created = createPostgresAdapter({ connectionString: database.url, max: 2, connectionTimeoutMs: 1000, statementTimeoutMs: STATEMENT_TIMEOUT_MS });
    adapters.push(created);
    return created;
  };
  beforeAll(async () => {
    database = await createScratchPostgres(adminUrl!, 'sb_timeouts');
  });
  afterAll(async () => {
    for (const a of adapters) await a.db.destroy();
    if (database) await dropScratchPostgres(adminUrl!, database.name);
  });

  it('lets migrations wait for another node’s migration lock past the statement timeout, and bounds every statement afterwards', async () => {
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    await other.query(`select pg_advisory_lock(${MIGRATION_LOCK_ID})`);
    const a = adapter();
    const migrating = new KyselyStore(a).migrate();
    // Several statement timeouts long: a bounded lock wait would have failed by now.
    await new Promise((resolve) => setTimeout(resolve, STATEMENT_TIMEOUT_MS * 4));
    await other.query(`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`);
    await other.end();
    await migrating;

    // The migration's connection went back to the pool bounded again, as every other one.
    for (let i = 0; i < 3; i++) {
      const error = await sql`select pg_sleep(1)`.execute(a.db).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'store_unavailable', retryable: true });
    }
    await expect(sql`select 1 as one`.execute(a.db)).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });
});
