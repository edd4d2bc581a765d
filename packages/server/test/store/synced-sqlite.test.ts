import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { SyncedSqliteDialect } from '../../src/storage/sqlite/synced-sqlite-dialect.js';
import { WalSync } from '../../src/storage/sqlite/wal-sync.js';

/** A real WalSync that also records when each fsync finished. */
class RecordingWalSync extends WalSync {
  readonly finished: string[] = [];
  override async sync(): Promise<void> {
    await super.sync();
    this.finished.push('sync');
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function open() {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-wal-'));
  dirs.push(dir);
  const file = join(dir, 'test.db');
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  const wal = new RecordingWalSync(`${file}-wal`);
  const db = new Kysely<{ t: { v: string } }>({ dialect: new SyncedSqliteDialect({ database }, wal, () => database.inTransaction) });
  await sql`create table t (v text)`.execute(db);
  wal.finished.length = 0;
  return { db, wal, file };
}

describe('SQLite commits synced off the event loop', () => {
  it('resolves a write outside a transaction only after the WAL is fsynced', async () => {
    const { db, wal, file } = await open();
    const done = db.insertInto('t').values({ v: 'a' }).execute().then(() => wal.finished.push('write resolved'));
    await done;
    expect(wal.finished).toEqual(['sync', 'write resolved']);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    await db.destroy();
  });

  it('fsyncs once per transaction, at its commit', async () => {
    const { db, wal } = await open();
    await db.transaction().execute(async (trx) => {
      for (const v of ['a', 'b', 'c']) await trx.insertInto('t').values({ v }).execute();
      expect(wal.finished).toEqual([]);
    });
    expect(wal.finished).toEqual(['sync']);
    await db.destroy();
  });

  it('does not fsync for reads', async () => {
    const { db, wal } = await open();
    await db.selectFrom('t').selectAll().execute();
    expect(wal.finished).toEqual([]);
    await db.destroy();
  });

  it('reports a sync under way, and does nothing when there is no WAL yet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-wal-'));
    dirs.push(dir);
    const wal = new WalSync(join(dir, 'missing.db-wal'));
    const running = wal.sync();
    expect(wal.pending).toBe(true);
    await running;
    expect(wal.pending).toBe(false);
    await wal.close();
  });
});
