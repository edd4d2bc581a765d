import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
import { createScratchPostgres, dropScratchPostgres } from './scratch-postgres.js';
import { createPostgresAdapter } from '../../src/storage/postgres/postgres-adapter.js';
import { createSqliteAdapter } from '../../src/storage/sqlite/sqlite-adapter.js';
import type { Database } from '../../src/storage/database.js';
import type { DialectAdapter } from '../../src/storage/dialect-adapter.js';
import type { Store } from '../../src/storage/store.js';
import { requiredService } from './required-service.js';

export type DialectName = 'sqlite' | 'postgres';

/** A fresh store on its own database, and the way to throw it away. */
export interface TestStore {
  readonly store: Store;
  /** Opens another store on the same database, as a second node would (its own connections). */
  openPeer(): Promise<Store>;
  /** Closes the stores `openPeer` opened. */
  closePeers(): Promise<void>;
  /** Empties every table, so tests can share the database (creating one per test is slow). */
  reset(): Promise<void>;
  /** Counts a table's rows behind the port's back, to see what a failed call left behind. */
  countRows(table: keyof Database): Promise<number>;
  /** Closes every store opened here and deletes the database. */
  cleanup(): Promise<void>;
}

/** What a dialect can do that the suite needs to know about before asking. */
export interface DialectTraits {
  /** Several processes may write to one database at once (PostgreSQL, not an embedded file). */
  readonly multiNode: boolean;
}

export const DIALECT_TRAITS: Readonly<Record<DialectName, DialectTraits>> = {
  sqlite: { multiNode: false },
  postgres: { multiNode: true },
};

const KNOWN: readonly DialectName[] = ['sqlite', 'postgres'];

/** Asked once, and only when PostgreSQL is selected, so the skip warning is printed once. */
let cachedPostgresUrl: string | undefined | null = null;

function postgresUrl(): string | undefined {
  if (cachedPostgresUrl === null) cachedPostgresUrl = requiredService('TEST_DATABASE_URL', 'PostgreSQL');
  return cachedPostgresUrl;
}

/**
 * The dialects to run, from `DIALECTS` (comma-separated, default `sqlite,postgres`). PostgreSQL
 * needs `TEST_DATABASE_URL`; without it, it is skipped loudly (or fails under REQUIRE_SERVICES=1).
 */
export const dialects: readonly DialectName[] = selectDialects(process.env.DIALECTS ?? 'sqlite,postgres');

function selectDialects(list: string): DialectName[] {
  const names = list.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !KNOWN.includes(name as DialectName));
  if (unknown.length > 0) throw new Error(`DIALECTS names unknown dialects: ${unknown.join(', ')} (known: ${KNOWN.join(', ')})`);
  return (names as DialectName[]).filter((name) => name !== 'postgres' || postgresUrl() !== undefined);
}

/** Opens a fresh, migrated, isolated store for the dialect. */
export async function openTestStore(dialect: DialectName): Promise<TestStore> {
  const database = dialect === 'sqlite' ? createSqliteDatabase() : await createPostgresDatabase();
  try {
    return await harness(database);
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/** A throwaway database: how to connect to it and how to get rid of it. */
interface ScratchDatabase {
  connect(): DialectAdapter;
  drop(): Promise<void>;
}

function createSqliteDatabase(): ScratchDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-store-'));
  return {
    connect: () => createSqliteAdapter({ filename: join(dir, 'store.db') }),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function createPostgresDatabase(): Promise<ScratchDatabase> {
  const adminUrl = postgresUrl();
  if (adminUrl === undefined) throw new Error('PostgreSQL is not configured (TEST_DATABASE_URL is unset)');
  const scratch = await createScratchPostgres(adminUrl, 'sb_test');
  return {
    connect: () => createPostgresAdapter({ connectionString: scratch.url }),
    drop: () => dropScratchPostgres(adminUrl, scratch.name),
  };
}

/** Children before parents, so deleting in this order never trips a foreign key. */
const TABLES: readonly (keyof Database)[] = ['notification_deliveries', 'notifications', 'push_subscriptions', 'notification_settings', 'webhook_deliveries', 'webhook_endpoints', 'moderation_audit', 'user_blocks', 'blocklist_terms', 'moderation_restrictions', 'message_reports', 'jobs', 'attachments', 'support_cases', 'message_reactions', 'message_deliveries', 'messages', 'participants', 'conversations', 'users', 'revoked_tokens', 'sessions'];

async function harness(database: ScratchDatabase): Promise<TestStore> {
  const open = async (): Promise<KyselyStore> => {
    const store = new KyselyStore(database.connect());
    try {
      await store.migrate();
      return store;
    } catch (error) {
      await store.close();
      throw error;
    }
  };
  const store = await open();
  let peers: KyselyStore[] = [];
  const closePeers = async (): Promise<void> => {
    const closing = peers;
    peers = [];
    await Promise.all(closing.map((peer) => peer.close()));
  };
  return {
    store,
    async openPeer() {
      const peer = await open();
      peers.push(peer);
      return peer;
    },
    closePeers,
    async reset() {
      for (const table of TABLES) await store.adapter.db.deleteFrom(table).execute();
    },
    async countRows(table) {
      const row = await store.adapter.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async cleanup() {
      await closePeers();
      await store.close();
      await database.drop();
    },
  };
}
