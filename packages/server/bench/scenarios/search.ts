import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { ConversationAccess } from '../../src/conversations/conversation-access.js';
import { loadPolicy } from '../../src/policy/policy.js';
import { SearchService } from '../../src/search/search.service.js';
import { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
import { createSqliteAdapter } from '../../src/storage/sqlite/sqlite-adapter.js';
import type { BenchContext } from '../bench-context.js';
import type { ScenarioResult, SearchBenchResult } from '../results-model.js';
import { measureAppends, removeSearchIndex } from '../search/append-cost.js';
import { buildCorpus, DISPATCHER, type Corpus } from '../search/search-corpus.js';
import { actorFor, measureQueries, type QueryWorkload } from '../search/search-queries.js';
import { startSwitchboardNode } from '../switchboard/server-process.js';
import { SwitchboardSystem } from '../switchboard/switchboard-system.js';
import { runSteppedLoad } from './stepped-load.js';

export interface SearchSettings {
  readonly tmpDir: string;
  readonly jwtSecret: string;
  readonly apiKey: string;
}

/** The file `switchboard serve` opens in its data directory. */
const DATABASE_FILE = 'switchboard.db';

/**
 * Scenario 7: message search on the embedded store. First the query latency over a corpus of
 * `plan.search.messages` messages in Amharic, Russian, Kazakh and English, written straight into
 * the tables (its build time is reported), for four kinds of searcher, through the search
 * service (store query, access scope, snippets). Then what the index costs a writer: durable
 * appends straight through the store, with and without it, in alternating runs; and the durable
 * one-to-one load twice, on a node with the index and on one whose database has it removed.
 */
export async function runSearch(ctx: BenchContext, settings: SearchSettings): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [await measureLatency(ctx, settings)];
  for (const indexed of [true, false]) results.push(await measureWriteCost(ctx, settings, indexed));
  return results;
}

async function measureLatency(ctx: BenchContext, settings: SearchSettings): Promise<SearchBenchResult> {
  const plan = ctx.plan.search;
  const dir = join(settings.tmpDir, 'search-corpus');
  mkdirSync(dir, { recursive: true });
  const store = new KyselyStore(createSqliteAdapter({ filename: join(dir, DATABASE_FILE) }));
  try {
    await store.migrate();
    ctx.log(`  search: writing ${plan.messages.toLocaleString('en')} messages in ${plan.conversations.toLocaleString('en')} conversations`);
    let reported = 0;
    const corpus = await buildCorpus(store, { ...plan, rowsPerStatement: 500, statementsPerTransaction: 40 }, (done) => {
      if (done - reported >= plan.messages / 10) {
        reported = done;
        ctx.log(`  search: ${done.toLocaleString('en')} written`);
      }
    });
    ctx.log(`  search: corpus written in ${(corpus.loadMs / 1000).toFixed(1)} s, indexed in ${(corpus.indexMs / 1000).toFixed(1)} s`);
    await sql`pragma wal_checkpoint(truncate)`.execute(store.adapter.db);
    const policy = loadPolicy(undefined);
    const search = new SearchService(store, new ConversationAccess(store, policy), (actor) => ({ userId: actor.kind === 'user' ? actor.user.id : undefined, moderator: false }));
    const classes = [];
    for (const [i, workload] of workloads(corpus).entries()) {
      const measured = await measureQueries(search, workload, plan.queriesPerClass, 100 + i);
      ctx.log(`  search: ${workload.label}: p50 ${measured.latency.p50} ms, p95 ${measured.latency.p95} ms`);
      classes.push(measured);
    }
    const appends = [];
    for (const indexed of [true, false, true, false]) {
      const measured = await measureAppends(settings.tmpDir, indexed, plan.appends);
      ctx.log(`  search: ${plan.appends.toLocaleString('en')} durable appends ${indexed ? 'with' : 'without'} the index: ${measured.msgsPerSec.toLocaleString('en')} msg/s, p50 ${measured.latency.p50} ms, p99 ${measured.latency.p99} ms`);
      appends.push(measured);
    }
    return {
      kind: 'search',
      system: 'switchboard',
      messages: plan.messages,
      conversations: plan.conversations,
      users: plan.users,
      loadMs: Math.round(corpus.loadMs),
      indexMs: Math.round(corpus.indexMs),
      databaseBytes: statSync(join(dir, DATABASE_FILE)).size,
      classes,
      appends,
    };
  } finally {
    await store.close();
  }
}

function workloads(corpus: Corpus): QueryWorkload[] {
  const { plan, userIds, conversations } = corpus;
  const pick = <T>(random: () => number, items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const perUser = Math.round((2 * plan.conversations) / plan.users);
  return [
    { label: `participant (~${perUser} conversations, ~${Math.round((perUser * plan.messages) / plan.conversations).toLocaleString('en')} messages)`, ask: (r) => ({ actor: actorFor(pick(r, userIds), []) }) },
    {
      label: 'participant, one conversation (conversation_id)',
      ask: (r) => {
        const c = pick(r, conversations);
        return { actor: actorFor(c.member, []), conversationId: c.id };
      },
    },
    { label: `dispatcher (${plan.dispatcherConversations} conversations, ~${Math.round((plan.dispatcherConversations * plan.messages) / plan.conversations).toLocaleString('en')} messages)`, ask: () => ({ actor: actorFor(DISPATCHER, []) }) },
    { label: 'monitor (every conversation)', ask: () => ({ actor: actorFor('monitor', ['operator']) }) },
  ];
}

/** The durable one-to-one load on a node of its own, with the search index or without it. */
async function measureWriteCost(ctx: BenchContext, settings: SearchSettings, indexed: boolean): Promise<ScenarioResult> {
  const name = indexed ? 'switchboard (search index)' : 'switchboard (no search index)';
  const dataDir = join(settings.tmpDir, indexed ? 'search-indexed' : 'search-unindexed');
  mkdirSync(dataDir, { recursive: true });
  if (!indexed) await removeIndex(join(dataDir, DATABASE_FILE));
  const node = await startSwitchboardNode({ dataDir, jwtSecret: settings.jwtSecret, apiKey: settings.apiKey });
  try {
    const system = new SwitchboardSystem(name, [node], settings.jwtSecret, settings.apiKey, ctx.runId, 'SQLite (WAL) commit before the ack');
    const note = indexed ? 'messages indexed for search after the commit, in batches (FTS5 trigram)' : 'search index removed from the database (triggers and FTS5 table dropped); search_text still written';
    return await runSteppedLoad(ctx, system, { scenario: 'search-write', plan: ctx.plan.oneToOne, durable: true, notes: [note] });
  } finally {
    await node.stop();
  }
}

/** A migrated database without the FTS5 table and its triggers: the node migrates nothing more and indexes nothing. */
async function removeIndex(filename: string): Promise<void> {
  const store = new KyselyStore(createSqliteAdapter({ filename }));
  try {
    await store.migrate();
    await removeSearchIndex(store);
  } finally {
    await store.close();
  }
}
