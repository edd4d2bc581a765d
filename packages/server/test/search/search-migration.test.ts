import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
import { migrationProvider } from '../../src/storage/migrations/index.js';
import { createPostgresAdapter } from '../../src/storage/postgres/postgres-adapter.js';
import { createSqliteAdapter } from '../../src/storage/sqlite/sqlite-adapter.js';
import { requiredService } from '../support/required-service.js';
import { createScratchPostgres, dropScratchPostgres } from '../support/scratch-postgres.js';

const adminUrl = requiredService('TEST_DATABASE_URL', 'PostgreSQL (search migration)');
const dialects = ['sqlite', ...(adminUrl ? ['postgres' as const] : [])] as const;

async function unmigratedStore(dialect: 'sqlite' | 'postgres'): Promise<{ store: KyselyStore; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-search-migrate-'));
    return { store: new KyselyStore(createSqliteAdapter({ filename: join(dir, 'store.db') })), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const scratch = await createScratchPostgres(adminUrl!, 'sb_search_migrate');
  return { store: new KyselyStore(createPostgresAdapter({ connectionString: scratch.url })), drop: () => dropScratchPostgres(adminUrl!, scratch.name) };
}

describe.each(dialects)('migration 0012 (search) on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('folds and indexes the messages an existing database already holds, leaving hidden and deleted ones out', async () => {
    const { store, drop } = await unmigratedStore(dialect);
    cleanup = async () => {
      await store.close();
      await drop();
    };
    const migrator = new Migrator({ db: store.adapter.db, provider: migrationProvider(store.adapter) });
    expect((await migrator.migrateTo('0011-message-deliveries')).error).toBeUndefined();
    const db = store.adapter.db;
    const at = '2024-01-01T00:00:00.000Z';
    await sql`insert into users (id, display_name, roles, profile, created_at, updated_at) values ('ana', 'Ana', '[]', '{}', ${at}, ${at})`.execute(db);
    await sql`insert into conversations (id, type, title, status, metadata, created_by, last_seq, last_activity_at, created_at, updated_at) values ('c1', 'group', null, 'active', '{}', 'ana', 2503, ${at}, ${at}, ${at})`.execute(db);
    await sql`insert into participants (conversation_id, user_id, role, joined_at) values ('c1', 'ana', 'owner', ${at})`.execute(db);
    const old = [
      ['m-1', 1, 'Автобус Алматыдан шықты', 0, null],
      ['m-2', 2, 'ከአዲስ አበባ ተነስቷል', 0, null],
      ['m-3', 3, 'hidden Алматы news', 1, null],
      ['m-4', 4, '', 0, at],
    ] as const;
    for (const [id, seq, content, hidden, deletedAt] of old) {
      await sql`insert into messages (id, conversation_id, seq, sender_id, kind, content, attachments, metadata, hidden, deleted_at, created_at) values (${id}, 'c1', ${seq}, 'ana', 'text', ${content}, '[]', '{}', ${hidden}, ${deletedAt}, ${at})`.execute(db);
    }
    // More than one backfill batch.
    for (let seq = 5; seq <= 2503; seq += 500) {
      const rows = Array.from({ length: Math.min(500, 2504 - seq) }, (_, i) => sql`(${`m-bulk-${String(seq + i).padStart(5, '0')}`}, 'c1', ${seq + i}, 'ana', 'text', ${`Рейс ${seq + i} ЁЛКИ`}, '[]', '{}', ${at})`);
      await sql`insert into messages (id, conversation_id, seq, sender_id, kind, content, attachments, metadata, created_at) values ${sql.join(rows)}`.execute(db);
    }

    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    // Every conversation: on SQLite that goes through the FTS5 index the migration filled.
    const search = async (text: string) => (await store.search.messages({ text, scope: { kind: 'all' }, viewerId: undefined, limit: 3000 })).map((h) => h.message.id);
    expect(await search('алматы')).toEqual(['m-1']);
    expect(await search('አዲስ')).toEqual(['m-2']);
    expect(await search('рейс 2503 елки')).toEqual(['m-bulk-02503']);
    expect(await search('елки')).toHaveLength(2499);
    const { rows } = await sql<{ search_text: string }>`select search_text from messages where id = 'm-bulk-00005'`.execute(db);
    expect(rows[0]!.search_text).toBe('рейс 5 елки');
  });
});
