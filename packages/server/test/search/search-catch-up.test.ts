import { sql, type Kysely } from 'kysely';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Message, User } from '../../src/core/model.js';
import { SearchIndexer } from '../../src/search/search-indexer.js';
import { normaliseForSearch } from '../../src/search/search-text.js';
import type { Database } from '../../src/storage/database.js';
import type { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
import { KyselySearchRepository } from '../../src/storage/kysely/search.repository.js';
import type { ReadScope, Store } from '../../src/storage/store.js';
import { dialects } from '../support/test-stores.js';
import { createConversation, createUser } from '../store/factories.js';
import { useTestStore } from '../store/use-test-store.js';
import { startTestServer } from '../support/test-server.js';

/**
 * SQLite's index catches up after the commit (migration 0016). Whatever it has reached, a search
 * finds exactly the visible messages, each once; and the index itself holds exactly the visible
 * messages it has reached, so edits, hides and deletes on either side of the watermark are right.
 */
describe('search index catching up after the commit, on sqlite', () => {
  const handle = useTestStore('sqlite');
  const store = (): Store => handle.store;
  const db = (): Kysely<Database> => (handle.store as KyselyStore).adapter.db;
  // Always through the index (and the rows past it), as large scopes are searched.
  const indexOnly = () => new KyselySearchRepository((handle.store as KyselyStore).adapter, { scanAtMost: -1 });
  const search = async (text: string, scope: ReadScope = { kind: 'all' }) =>
    (await indexOnly().messages({ text: normaliseForSearch(text), scope, viewerId: undefined, limit: 50 })).map((h) => h.message.content);
  const send = async (conversationId: string, sender: User, content: string): Promise<Message> =>
    (await store().messages.append({ conversationId, senderId: sender.id, kind: 'text', content })).message;

  const watermark = async () => Number((await sql<{ w: number }>`select indexed_through as w from search_watermark`.execute(db())).rows[0]!.w);
  /** The rowids the FTS5 index holds a term of, read from the index itself. */
  async function indexed(): Promise<number[]> {
    await sql`create virtual table if not exists temp.search_terms using fts5vocab(main, message_search, 'instance')`.execute(db());
    return (await sql<{ doc: number }>`select distinct doc from temp.search_terms order by doc`.execute(db())).rows.map((r) => Number(r.doc));
  }
  /** What the index must hold: the visible messages it has reached. */
  async function expected(): Promise<number[]> {
    return (await sql<{ rowid: number }>`select rowid from messages where hidden = 0 and deleted_at is null and search_text <> '' and rowid <= ${await watermark()} order by rowid`.execute(db())).rows.map((r) => Number(r.rowid));
  }
  async function room() {
    // The suite empties the tables between tests but keeps the watermark: start from the rows there are.
    await sql`update search_watermark set indexed_through = (select coalesce(max(rowid), 0) from messages)`.execute(db());
    const [ana, ben] = [await createUser(store()), await createUser(store())];
    return { ana, ben, conversation: await createConversation(store(), [ana, ben]) };
  }

  it('finds a message from its commit on, once, before and after the index reaches it', async () => {
    const { ana, conversation } = await room();
    await send(conversation.id, ana, 'the bus left Almaty');
    const before = await watermark();
    expect(await indexed()).toEqual([]);
    expect(await search('almaty')).toEqual(['the bus left Almaty']);

    expect(await store().search.catchUp(100)).toBe(1);
    expect(await watermark()).toBeGreaterThan(before);
    expect(await indexed()).toEqual(await expected());
    expect(await indexed()).toHaveLength(1);
    expect(await search('almaty')).toEqual(['the bus left Almaty']);
    expect(await store().search.catchUp(100)).toBe(0);

    // One newer message past the watermark and one older in the index: both, newest first.
    await send(conversation.id, ana, 'a second bus left Almaty');
    expect(await search('almaty')).toEqual(['a second bus left Almaty', 'the bus left Almaty']);
  });

  it('catches up in batches of the given size, moving past hidden and deleted rows too', async () => {
    const { ana, conversation } = await room();
    const sent = [];
    for (let i = 0; i < 7; i++) sent.push(await send(conversation.id, ana, `departure number ${i}`));
    await store().messages.update(sent[2]!.id, { hidden: true });
    await store().messages.update(sent[5]!.id, { content: '', deletedAt: new Date().toISOString() });
    expect(await store().search.catchUp(3)).toBe(3);
    expect(await indexed()).toEqual(await expected());
    expect(await search('departure')).toHaveLength(5);
    expect(await store().search.catchUp(3)).toBe(3);
    expect(await store().search.catchUp(3)).toBe(1);
    expect(await store().search.catchUp(3)).toBe(0);
    expect(await indexed()).toEqual(await expected());
    expect(await indexed()).toHaveLength(5);
    expect(await search('departure')).toHaveLength(5);
  });

  it('keeps edits, hides and deletes right on both sides of the watermark', async () => {
    const { ana, conversation } = await room();
    const early = await send(conversation.id, ana, 'gate seven boarding');
    const hiddenEarly = await send(conversation.id, ana, 'gate eight boarding');
    await store().search.catchUp(100);
    const late = await send(conversation.id, ana, 'platform two boarding');
    const hiddenLate = await send(conversation.id, ana, 'platform three boarding');

    for (const [m, content] of [[early, 'gate nine, changed'], [late, 'platform four, changed']] as const) {
      await store().messages.update(m.id, { content, editedAt: new Date().toISOString() });
    }
    await store().messages.update(hiddenEarly.id, { hidden: true });
    await store().messages.update(hiddenLate.id, { hidden: true });
    const check = async () => {
      expect(await indexed()).toEqual(await expected());
      expect(await search('boarding')).toEqual([]);
      expect(await search('changed')).toEqual(['platform four, changed', 'gate nine, changed']);
    };
    await check();
    await store().search.catchUp(100);
    await check();

    // Unhidden after the index reached it: back in the index, and found.
    await store().messages.update(hiddenLate.id, { hidden: false });
    expect(await indexed()).toEqual(await expected());
    expect(await search('platform three')).toEqual(['platform three boarding']);
  });

  it('indexes at once a new row that reuses the rowid of a deleted newest row the index had reached', async () => {
    const { ana, conversation } = await room();
    await send(conversation.id, ana, 'first words');
    const newest = await send(conversation.id, ana, 'newest words');
    await store().search.catchUp(100);
    const reached = await watermark();
    // A hard delete of the newest row (a conversation's purge does the same): SQLite hands its rowid out again.
    await sql`delete from messages where id = ${newest.id}`.execute(db());
    const again = await send(conversation.id, ana, 'reused rowid words');
    const { rows } = await sql<{ rowid: number }>`select rowid from messages where id = ${again.id}`.execute(db());
    expect(Number(rows[0]!.rowid)).toBeLessThanOrEqual(reached);
    expect(await indexed()).toEqual(await expected());
    expect(await search('reused')).toEqual(['reused rowid words']);
    expect(await search('newest')).toEqual([]);
  });

  const lastRowid = async () => Number((await sql<{ r: number }>`select max(rowid) as r from messages`.execute(db())).rows[0]!.r);
  async function untilReached(rowid: number): Promise<void> {
    const deadline = Date.now() + 5000;
    while ((await watermark()) < rowid && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await watermark()).toBe(rowid);
  }

  it('goes on after a full batch at once, without waiting for its next tick', async () => {
    const { ana, conversation } = await room();
    for (let i = 0; i < 25; i++) await send(conversation.id, ana, `backlog message ${i}`);
    // The next tick is a minute away: only going on after each full batch reaches the end.
    const indexer = new SearchIndexer(store().search, pino({ enabled: false }), { intervalMs: 60_000, batch: 4 });
    indexer.start();
    try {
      await untilReached(await lastRowid());
    } finally {
      await indexer.stop();
    }
    expect(await indexed()).toEqual(await expected());
    expect(await indexed()).toHaveLength(25);
  });

  it('ticks: messages sent after it started are indexed on its next tick, and it stops cleanly', async () => {
    const { ana, conversation } = await room();
    const indexer = new SearchIndexer(store().search, pino({ enabled: false }), { intervalMs: 10, batch: 100 });
    indexer.start();
    try {
      for (let i = 0; i < 3; i++) await send(conversation.id, ana, `later message ${i}`);
      await untilReached(await lastRowid());
    } finally {
      await indexer.stop();
    }
    expect(await indexed()).toEqual(await expected());
    expect(await search('later')).toHaveLength(3);
  });
});

describe.each(dialects.filter((d) => d !== 'sqlite'))('search index on %s', (dialect) => {
  const handle = useTestStore(dialect);

  it('has nothing to catch up: the database indexes each message in its own transaction', async () => {
    const [ana] = [await createUser(handle.store)];
    const conversation = await createConversation(handle.store, [ana]);
    await handle.store.messages.append({ conversationId: conversation.id, senderId: ana.id, kind: 'text', content: 'indexed by the database' });
    expect(await handle.store.search.catchUp(100)).toBe(0);
  });
});

describe('search index on a running node (sqlite)', () => {
  it('is caught up by the node itself, soon after a message is sent', async () => {
    const server = await startTestServer();
    try {
      const [a, b] = [await server.user(['CONTROL_STAFF']), await server.user(['CONTROL_STAFF'])];
      const id = (await server.request('POST', '/v1/conversations', { token: a.token, body: { participant_ids: [b.user.id] } })).body.conversation.id;
      const sent = (await server.request('POST', `/v1/conversations/${id}/messages`, { token: a.token, body: { content: 'caught up by the node' } })).body.message;
      const db = (server.services.store as KyselyStore).adapter.db;
      const rowid = Number((await sql<{ r: number }>`select rowid as r from messages where id = ${sent.id}`.execute(db)).rows[0]!.r);
      const watermark = async () => Number((await sql<{ w: number }>`select indexed_through as w from search_watermark`.execute(db)).rows[0]!.w);
      const deadline = Date.now() + 5000;
      while ((await watermark()) < rowid && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await watermark()).toBeGreaterThanOrEqual(rowid);
    } finally {
      await server.close();
    }
  });
});
