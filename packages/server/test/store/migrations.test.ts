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
import type { User } from '../../src/core/model.js';
import { buildMessage, createConversation } from './factories.js';

const adminUrl = requiredService('TEST_DATABASE_URL', 'PostgreSQL (migrations)');

/** A store on a database of its own, migrated only as far as the test says. */
async function unmigratedStore(dialect: 'sqlite' | 'postgres'): Promise<{ store: KyselyStore; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-migrate-'));
    return { store: new KyselyStore(createSqliteAdapter({ filename: join(dir, 'store.db') })), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const scratch = await createScratchPostgres(adminUrl!, 'sb_migrate');
  return { store: new KyselyStore(createPostgresAdapter({ connectionString: scratch.url })), drop: () => dropScratchPostgres(adminUrl!, scratch.name) };
}

const dialects = ['sqlite', ...(adminUrl ? ['postgres' as const] : [])] as const;

describe.each(dialects)('migration 0007 (client ids per conversation) on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('keeps every message and reaction of an existing database and then lets a client id be reused in another conversation', async () => {
    const { store, drop } = await unmigratedStore(dialect);
    cleanup = async () => {
      await store.close();
      await drop();
    };
    const migrator = new Migrator({ db: store.adapter.db, provider: migrationProvider(store.adapter) });
    expect((await migrator.migrateTo('0006-attachment-scans')).error).toBeUndefined();
    // A user row as the 0006 schema has it: today's user repository writes columns added later.
    const ana = { id: 'ana' } as User;
    const at = '2024-01-01T00:00:00.000Z';
    await sql`insert into users (id, display_name, roles, profile, created_at, updated_at) values (${ana.id}, ${'Ana'}, ${'[]'}, ${'{}'}, ${at}, ${at})`.execute(store.adapter.db);
    // Rows as the 0006 schema has them, written by hand: today's repositories use columns added later.
    const db = store.adapter.db;
    for (const id of ['conv-one', 'conv-two']) {
      await sql`insert into conversations (id, type, title, status, metadata, created_by, last_seq, last_activity_at, created_at, updated_at) values (${id}, ${'group'}, ${null}, ${'active'}, ${'{}'}, ${ana.id}, ${id === 'conv-one' ? 2 : 0}, ${at}, ${at}, ${at})`.execute(db);
      await sql`insert into participants (conversation_id, user_id, role, joined_at) values (${id}, ${ana.id}, ${'owner'}, ${at})`.execute(db);
    }
    const [one, two] = [{ id: 'conv-one' }, { id: 'conv-two' }];
    const first = { message: { id: 'msg-1' } };
    for (const [id, seq, clientId, content] of [['msg-1', 1, 'c-1', 'kept'], ['msg-2', 2, 'c-2', 'hello']] as const) {
      await sql`insert into messages (id, conversation_id, seq, sender_id, kind, content, attachments, metadata, client_id, created_at) values (${id}, ${one.id}, ${seq}, ${ana.id}, ${'text'}, ${content}, ${'[]'}, ${'{}'}, ${clientId}, ${at})`.execute(db);
    }
    await sql`insert into message_reactions (message_id, user_id, emoji, created_at) values (${first.message.id}, ${ana.id}, ${'👍'}, ${at})`.execute(db);

    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect((await store.messages.page({ conversationId: one.id, limit: 10 })).messages.map((m) => m.clientId)).toEqual(['c-1', 'c-2']);
    expect((await store.reactions.forMessages([first.message.id])).get(first.message.id)).toEqual([expect.objectContaining({ emoji: '👍' })]);
    const reused = await store.messages.append(buildMessage(two.id, ana.id, { clientId: 'c-1', content: 'stored now' }));
    expect(reused).toMatchObject({ created: true, message: { conversationId: two.id, seq: 1, content: 'stored now' } });
    expect((await store.messages.append(buildMessage(one.id, ana.id, { clientId: 'c-1' }))).message.id).toBe(first.message.id);
    // Deleting a conversation still cascades to its messages (the rebuilt table kept its keys).
    await store.adapter.db.deleteFrom('conversations').where('id', '=', two.id).execute();
    expect((await store.messages.page({ conversationId: two.id, limit: 10 })).messages).toEqual([]);
  });
});

describe('migration 0016 (search index after the commit) on sqlite', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('starts the watermark at the last indexed message, and going back indexes what it had not reached', async () => {
    const { store, drop } = await unmigratedStore('sqlite');
    cleanup = async () => {
      await store.close();
      await drop();
    };
    const db = store.adapter.db;
    const migrator = new Migrator({ db, provider: migrationProvider(store.adapter) });
    expect((await migrator.migrateTo('0015-coalesced-jobs')).error).toBeUndefined();
    const at = '2024-01-01T00:00:00.000Z';
    await sql`insert into users (id, display_name, roles, profile, created_at, updated_at) values (${'ana'}, ${'Ana'}, ${'[]'}, ${'{}'}, ${at}, ${at})`.execute(db);
    const conversation = await createConversation(store, [{ id: 'ana' } as User]);
    // Indexed in their own transactions, by 0012's triggers.
    for (const content of ['old bus one', 'old bus two']) await store.messages.append(buildMessage(conversation.id, 'ana', { content }));
    const searchAll = async (text: string) => (await store.search.messages({ text, scope: { kind: 'all' }, viewerId: undefined, limit: 10 })).map((h) => h.message.content);
    const indexedCount = async () => Number((await sql<{ n: number }>`select count(*) as n from message_search where message_search match ${'"bus"'}`.execute(db)).rows[0]!.n);

    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const { rows } = await sql<{ w: number; last: number }>`select indexed_through as w, (select max(rowid) from messages) as last from search_watermark`.execute(db);
    expect(Number(rows[0]!.w)).toBe(Number(rows[0]!.last));
    await store.messages.append(buildMessage(conversation.id, 'ana', { content: 'new bus three' }));
    expect(await indexedCount()).toBe(2);
    expect(await searchAll('bus')).toEqual(['new bus three', 'old bus two', 'old bus one']);

    expect((await migrator.migrateDown()).error).toBeUndefined();
    expect(await indexedCount()).toBe(3);
    await store.messages.append(buildMessage(conversation.id, 'ana', { content: 'newer bus four' }));
    expect(await indexedCount()).toBe(4);
  });
});
