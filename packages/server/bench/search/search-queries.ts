import type { UserActor } from '../../src/core/actor.js';
import type { User } from '../../src/core/model.js';
import type { SearchService } from '../../src/search/search.service.js';
import { Histogram } from '../histogram.js';
import type { SearchQueryClass } from '../results-model.js';
import { seededRandom, VOCABULARY } from './search-corpus.js';

/** Words long enough to search for (a query needs three characters). */
const WORDS = Object.values(VOCABULARY).flat().filter((w) => [...w].length >= 3);

/** A piece of a vocabulary word as people type it: 3 to 6 characters from anywhere in it, in any case. */
export function queryText(random: () => number): string {
  const word = [...WORDS[Math.floor(random() * WORDS.length)]!];
  const length = Math.min(word.length, 3 + Math.floor(random() * 4));
  const start = Math.floor(random() * (word.length - length + 1));
  const piece = word.slice(start, start + length).join('');
  return random() < 0.3 ? piece.toUpperCase() : piece;
}

export const actorFor = (id: string, roles: readonly string[]): UserActor => ({
  kind: 'user',
  user: { id, roles: [...roles] } as unknown as User,
  token: { jti: undefined, exp: undefined },
});

export interface QueryWorkload {
  readonly label: string;
  /** Which search the sample asks, from a random source. */
  ask(random: () => number): { actor: UserActor; conversationId?: string };
}

/** Runs `count` searches of the workload one after another and reports their latency, first page of 20. */
export async function measureQueries(search: SearchService, workload: QueryWorkload, count: number, seed: number): Promise<SearchQueryClass> {
  const random = seededRandom(seed);
  const histogram = new Histogram();
  let hits = 0;
  let empty = 0;
  for (let i = 0; i < count; i++) {
    const { actor, conversationId } = workload.ask(random);
    const q = queryText(random);
    const started = performance.now();
    const page = await search.messages(actor, { q, ...(conversationId !== undefined && { conversationId }), limit: 20 });
    histogram.recordMs(performance.now() - started);
    hits += page.results.length;
    if (page.results.length === 0) empty++;
  }
  return { label: workload.label, latency: histogram.percentilesMs(), meanResults: hits / count, emptyShare: empty / count };
}
