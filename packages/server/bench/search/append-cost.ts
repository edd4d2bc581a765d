import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { pino } from 'pino';
import { SearchIndexer } from '../../src/search/search-indexer.js';
import { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
import { dropFts5Triggers } from '../../src/storage/migrations/0012-search.js';
import { createSqliteAdapter } from '../../src/storage/sqlite/sqlite-adapter.js';
import { Histogram } from '../histogram.js';
import type { AppendCost } from '../results-model.js';
import { seededRandom, sentence, VOCABULARY, type Language } from './search-corpus.js';

/** Appends in flight at once: enough for group commit to batch, as a busy node's senders do. */
const IN_FLIGHT = 64;
const LANGUAGES = Object.keys(VOCABULARY) as Language[];

/**
 * Drops the FTS5 table and its triggers from a migrated SQLite store, and puts the watermark past
 * any rowid, so that neither appends nor the indexer after them index anything.
 */
export async function removeSearchIndex(store: KyselyStore): Promise<void> {
  await dropFts5Triggers(store.adapter.db as unknown as Kysely<unknown>);
  await sql`drop table message_search`.execute(store.adapter.db);
  await sql`update search_watermark set indexed_through = ${Number.MAX_SAFE_INTEGER}`.execute(store.adapter.db);
}

/**
 * Durable appends straight through the store (group commit, `synchronous=FULL`), `IN_FLIGHT` at a
 * time over one-to-one conversations, on a fresh database with the search index or without it:
 * the index's cost to a writer without the network and the clients around it.
 */
export async function measureAppends(tmpDir: string, indexed: boolean, count: number): Promise<AppendCost> {
  const dir = mkdtempSync(join(tmpDir, indexed ? 'append-indexed-' : 'append-unindexed-'));
  const store = new KyselyStore(createSqliteAdapter({ filename: join(dir, 'switchboard.db') }));
  let indexer: SearchIndexer | undefined;
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
    // The index catches up after the commits, as on a node: its work competes with the appends.
    indexer = indexed ? new SearchIndexer(store.search, pino({ enabled: false })) : undefined;
    indexer?.start();
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
    await indexer?.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
