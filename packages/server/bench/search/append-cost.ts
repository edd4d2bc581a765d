import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
import { createSqliteAdapter } from '../../src/storage/sqlite/sqlite-adapter.js';
import { Histogram } from '../histogram.js';
import type { AppendCost } from '../results-model.js';
import { seededRandom, sentence, VOCABULARY, type Language } from './search-corpus.js';

/** Appends in flight at once: enough for group commit to batch, as a busy node's senders do. */
const IN_FLIGHT = 64;
const LANGUAGES = Object.keys(VOCABULARY) as Language[];

/** Drops the FTS5 table and its triggers from a migrated SQLite store: appends then index nothing. */
export async function removeSearchIndex(store: KyselyStore): Promise<void> {
  for (const trigger of ['message_search_insert', 'message_search_update', 'message_search_delete']) await sql`drop trigger ${sql.ref(trigger)}`.execute(store.adapter.db);
  await sql`drop table message_search`.execute(store.adapter.db);
}

/**
 * Durable appends straight through the store (group commit, `synchronous=FULL`), `IN_FLIGHT` at a
 * time over one-to-one conversations, on a fresh database with the search index or without it:
 * the index's cost to a writer without the network and the clients around it.
 */
export async function measureAppends(tmpDir: string, indexed: boolean, count: number): Promise<AppendCost> {
  const dir = mkdtempSync(join(tmpDir, indexed ? 'append-indexed-' : 'append-unindexed-'));
  const store = new KyselyStore(createSqliteAdapter({ filename: join(dir, 'switchboard.db') }));
  try {
    await store.migrate();
    if (!indexed) await removeSearchIndex(store);
    const pairs = [];
    for (let i = 0; i < IN_FLIGHT; i++) {
      const [a, b] = [`a${i}`, `b${i}`];
      for (const id of [a, b]) await store.users.upsert({ id, email: null, passwordHash: null, displayName: id, roles: [] });
      const conversation = await store.conversations.create({ type: 'direct', context: null, title: null, metadata: {}, createdBy: a, participants: [{ userId: a, role: 'member' }, { userId: b, role: 'member' }] });
      pairs.push({ id: conversation.id, members: [a, b], language: LANGUAGES[i % LANGUAGES.length]! });
    }
    const random = seededRandom(7);
    const contents = Array.from({ length: 1000 }, (_, i) => sentence(random, LANGUAGES[i % LANGUAGES.length]!));
    const latency = new Histogram();
    let next = 0;
    const started = performance.now();
    await Promise.all(
      pairs.map(async (pair) => {
        for (let i = next++; i < count; i = next++) {
          const sentAt = performance.now();
          await store.messages.append({ conversationId: pair.id, senderId: pair.members[i % 2]!, kind: 'text', content: contents[i % contents.length]! });
          latency.recordMs(performance.now() - sentAt);
        }
      }),
    );
    const elapsedMs = performance.now() - started;
    return { indexed, messages: count, msgsPerSec: Math.round((count / elapsedMs) * 1000), latency: latency.percentilesMs() };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
