import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectAdapter } from '../../src/storage/dialect-adapter.js';
import { createPostgresAdapter } from '../../src/storage/postgres/postgres-adapter.js';
import { createSqliteAdapter } from '../../src/storage/sqlite/sqlite-adapter.js';
import { requiredService } from '../support/required-service.js';

describe('bookkeeping transactions on SQLite', () => {
  let dir: string;
  let adapter: DialectAdapter;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-bookkeeping-'));
    adapter = createSqliteAdapter({ filename: join(dir, 'store.db') });
    await sql`create table marks (n integer not null)`.execute(adapter.db);
  });
  afterAll(async () => {
    await adapter?.db.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const synchronous = async () => Number(Object.values((await sql<Record<string, number>>`pragma synchronous`.execute(adapter.db)).rows[0]!)[0]);

  it('commits without the fsync inside, and every other commit with it again afterwards, also after a failure', async () => {
    expect(await synchronous()).toBe(2);
    const inside = await adapter.bookkeeping(async (trx) => {
      await sql`insert into marks (n) values (1)`.execute(trx);
      return Number(Object.values((await sql<Record<string, number>>`pragma synchronous`.execute(trx)).rows[0]!)[0]);
    });
    expect(inside).toBe(1);
    expect(await synchronous()).toBe(2);
    await expect(adapter.bookkeeping(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await synchronous()).toBe(2);
  });

  it('keeps every other write out until it has ended', async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const bookkeeping = adapter.bookkeeping(async (trx) => {
      await sql`insert into marks (n) values (2)`.execute(trx);
      await held;
      order.push('bookkeeping done');
    });
    const queued = sql`insert into marks (n) values (3)`.execute(adapter.db).then(() => order.push('queued write'));
    // What any statement issued meanwhile runs under: the durable setting, never the relaxed one.
    const seen = synchronous();
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await Promise.all([bookkeeping, queued]);
    expect(order).toEqual(['bookkeeping done', 'queued write']);
    expect(await seen).toBe(2);
    expect(await synchronous()).toBe(2);
  });
});

const postgresUrl = requiredService('TEST_DATABASE_URL', 'PostgreSQL');

describe.skipIf(!postgresUrl)('bookkeeping transactions on PostgreSQL', () => {
  let adapter: DialectAdapter;
  beforeAll(() => {
    adapter = createPostgresAdapter({ connectionString: postgresUrl! });
  });
  afterAll(() => adapter?.db.destroy());

  const setting = async (db: DialectAdapter['db']) => (await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(db)).rows[0]!.synchronous_commit;

  it('turns synchronous commit off for its own transaction only', async () => {
    expect(await adapter.bookkeeping((trx) => setting(trx))).toBe('off');
    // Every pooled connection is back to the server's setting.
    const after = await Promise.all(Array.from({ length: 5 }, () => adapter.db.transaction().execute((trx) => setting(trx))));
    expect(new Set(after)).toEqual(new Set(['on']));
  });
});
