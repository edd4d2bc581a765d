import { sql } from 'kysely';
import type { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
import { normaliseForSearch } from '../../src/search/search-text.js';
import { timeOrderedId } from '../../src/storage/time-ordered-id.js';

/** Words the corpus is written in: how drivers, dispatchers and customers write, in four languages. */
export const VOCABULARY = {
  am: ['አውቶቡስ', 'ከአዲስ', 'አበባ', 'ተነስቷል', 'መንገድ', 'ተዘግቷል', 'ሹፌር', 'ጣቢያ', 'ሰዓት', 'ዘግይቷል', 'ተሳፋሪ', 'ትኬት', 'መኪና', 'ነዳጅ', 'ቦሌ', 'መርካቶ', 'ፒያሳ', 'ሰላም', 'እባክዎ', 'አመሰግናለሁ', 'ደርሷል', 'ቁጥር', 'ወረፋ', 'ጥገና'],
  ru: ['автобус', 'выехал', 'из', 'Алматы', 'маршрут', 'задержка', 'водитель', 'остановка', 'пассажир', 'билет', 'прибыл', 'пробка', 'ремонт', 'диспетчер', 'смена', 'заказ', 'груз', 'доставка', 'адрес', 'ёлки', 'въезд', 'депо', 'платформа', 'рейс'],
  kk: ['Алматыдан', 'Астанаға', 'жолаушы', 'көлік', 'жүргізуші', 'аялдама', 'кешігу', 'шықты', 'келді', 'билеті', 'жүк', 'тапсырыс', 'мекенжай', 'қала', 'бағыт', 'рахмет', 'сәлем', 'уақыт', 'жөндеу', 'кезек', 'Шымкентке', 'Қарағанды', 'тасымал', 'диспетчер'],
  en: ['bus', 'departure', 'delayed', 'roadworks', 'driver', 'platform', 'passenger', 'ticket', 'arrived', 'traffic', 'repair', 'dispatch', 'shift', 'order', 'cargo', 'delivery', 'address', 'pickup', 'refund', 'support', 'thanks', 'please', 'route', 'queue'],
} as const;
export type Language = keyof typeof VOCABULARY;
const LANGUAGES = Object.keys(VOCABULARY) as Language[];

export interface CorpusPlan {
  readonly messages: number;
  readonly conversations: number;
  readonly users: number;
  /** A dispatcher (`dispatcher`) takes part in the first this many conversations too. */
  readonly dispatcherConversations: number;
  /** Rows per insert statement, and statements per transaction. */
  readonly rowsPerStatement: number;
  readonly statementsPerTransaction: number;
}

export interface Corpus {
  readonly plan: CorpusPlan;
  readonly userIds: readonly string[];
  /** Each conversation's id and its first member. */
  readonly conversations: readonly { readonly id: string; readonly member: string }[];
  /** Writing the rows, and then filling the index in one statement. */
  readonly loadMs: number;
  readonly indexMs: number;
}

export const DISPATCHER = 'dispatcher';

/** A small deterministic generator, so every run searches the same corpus. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** 4–12 words, mostly of the conversation's language, sometimes a word of another. */
export function sentence(random: () => number, language: Language): string {
  const words: string[] = [];
  const length = 4 + Math.floor(random() * 9);
  for (let i = 0; i < length; i++) words.push(pick(random, VOCABULARY[random() < 0.85 ? language : pick(random, LANGUAGES)]));
  return `${words.join(' ')}${random() < 0.3 ? ` ${Math.floor(random() * 1000)}` : ''}`;
}

/**
 * Writes users, one-to-one conversations (two users each, chosen round the user list) and their
 * messages straight into the tables, in big multi-row inserts without a commit per message. The
 * index then catches up with all of them in one transaction, as the node's indexer does in
 * batches. Each conversation's `last_seq` is set at the end. SQLite stores only.
 */
export async function buildCorpus(store: KyselyStore, plan: CorpusPlan, progress: (done: number) => void): Promise<Corpus> {
  const started = performance.now();
  const db = store.adapter.db;
  if (store.adapter.substringIndex !== 'fts5-trigram') throw new Error('the search corpus is written to SQLite stores only');
  const random = seededRandom(16);
  const at = new Date(Date.UTC(2030, 0, 1)).getTime();
  const userIds = Array.from({ length: plan.users }, (_, i) => `u${i}`);
  const stamp = new Date(at).toISOString();
  for (let i = 0; i < userIds.length; i += 1000) {
    await db.insertInto('users').values(userIds.slice(i, i + 1000).map((id) => ({ id, email: null, password_hash: null, display_name: id, roles: '[]', profile: '{}', disabled: 0, tokens_valid_after: 0, roles_updated_at: 0, created_at: stamp, updated_at: stamp }))).execute();
  }
  const conversations = Array.from({ length: plan.conversations }, (_, i) => ({ id: `c${i}`, language: LANGUAGES[i % LANGUAGES.length]!, members: [userIds[i % plan.users]!, userIds[(i * 7 + 1) % plan.users]!] }));
  for (let i = 0; i < conversations.length; i += 500) {
    const slice = conversations.slice(i, i + 500);
    await db.insertInto('conversations').values(slice.map((c) => ({ id: c.id, type: 'direct', context_type: null, context_id: null, title: null, status: 'active', metadata: '{}', created_by: c.members[0]!, last_seq: 0, last_message_at: null, last_activity_at: stamp, created_at: stamp, updated_at: stamp }))).execute();
    await db.insertInto('participants').values(slice.flatMap((c) => [...new Set(c.members)].map((userId) => ({ conversation_id: c.id, user_id: userId, role: 'member', last_read_seq: 0, last_delivered_seq: 0, muted: 0, joined_at: stamp, left_at: null })))).execute();
  }
  await db.insertInto('users').values({ id: DISPATCHER, email: null, password_hash: null, display_name: DISPATCHER, roles: '[]', profile: '{}', disabled: 0, tokens_valid_after: 0, roles_updated_at: 0, created_at: stamp, updated_at: stamp }).execute();
  for (let i = 0; i < plan.dispatcherConversations; i += 500) {
    await db.insertInto('participants').values(conversations.slice(i, Math.min(i + 500, plan.dispatcherConversations)).map((c) => ({ conversation_id: c.id, user_id: DISPATCHER, role: 'member', last_read_seq: 0, last_delivered_seq: 0, muted: 0, joined_at: stamp, left_at: null }))).execute();
  }
  const seqs = new Map<string, number>();
  let written = 0;
  while (written < plan.messages) {
    await db.transaction().execute(async (trx) => {
      for (let s = 0; s < plan.statementsPerTransaction && written < plan.messages; s++) {
        const rows = [];
        for (let r = 0; r < plan.rowsPerStatement && written < plan.messages; r++, written++) {
          const conversation = conversations[Math.floor(random() * conversations.length)]!;
          const seq = (seqs.get(conversation.id) ?? 0) + 1;
          seqs.set(conversation.id, seq);
          const content = sentence(random, conversation.language);
          const createdAt = at + written * 1000;
          rows.push({ id: timeOrderedId(createdAt), conversation_id: conversation.id, seq, sender_id: conversation.members[seq % 2]!, kind: 'text', content, attachments: '[]', reply_to: null, metadata: '{}', client_id: null, edited_at: null, deleted_at: null, created_at: new Date(createdAt).toISOString(), search_text: normaliseForSearch(content) });
        }
        await trx.insertInto('messages').values(rows).execute();
      }
    });
    progress(written);
  }
  await db.transaction().execute(async (trx) => {
    for (const [id, seq] of seqs) await sql`update conversations set last_seq = ${seq} where id = ${id}`.execute(trx);
  });
  const loaded = performance.now();
  // The index catches up as on a node, only all at once: one transaction for every row.
  await store.search.catchUp(plan.messages);
  const indexed = performance.now();
  return { plan, userIds, conversations: conversations.map((c) => ({ id: c.id, member: c.members[0]! })), loadMs: loaded - started, indexMs: indexed - loaded };
}
