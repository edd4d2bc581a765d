import { randomUUID } from 'node:crypto';
import type { Insertable, Transaction } from 'kysely';
import type { ConversationsTable, Database } from '../database.js';
import type { ContextRoom } from '../store.js';
import { now } from './rows.js';

/** What one room's sync wrote, before the conversation is read back. */
export interface ContextWrite {
  readonly outcome: 'created' | 'updated' | 'unchanged';
  readonly conversationId: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** Rows per multi-row insert: well under SQLite's and PostgreSQL's bound-parameter limits. */
const ROWS_PER_INSERT = 1000;
/**
 * Contexts looked up per statement: each is one `OR` term, and SQLite refuses expressions nested
 * deeper than 1000, so a large `--batch-size` is read in several statements.
 */
const CONTEXTS_PER_LOOKUP = 200;
/** Ids per `IN (…)` list, well under SQLite's bound-parameter limit. */
const IDS_PER_LOOKUP = 1000;

type ParticipantRow = { conversation_id: string; user_id: string; role: string; joined_at: string; left_at: null };

/**
 * The rooms of `syncContexts`, inside the batch's transaction, with a handful of statements per
 * batch rather than per room: one read of the known contexts, one of their participants,
 * multi-row inserts, and writes only for the rooms whose membership changes. A context repeated
 * in the batch starts a new segment, so its second mention sees what the first wrote.
 */
export async function syncContextsIn(trx: Transaction<Database>, rooms: readonly ContextRoom[]): Promise<ContextWrite[]> {
  const writes: ContextWrite[] = [];
  for (const segment of uniqueContextSegments(rooms)) writes.push(...(await syncSegment(trx, segment)));
  return writes;
}

function uniqueContextSegments(rooms: readonly ContextRoom[]): ContextRoom[][] {
  const segments: ContextRoom[][] = [[]];
  let seen = new Set<string>();
  for (const room of rooms) {
    const key = contextKey(room.context.type, room.context.id);
    if (seen.has(key)) {
      segments.push([]);
      seen = new Set();
    }
    seen.add(key);
    segments.at(-1)!.push(room);
  }
  return segments.filter((segment) => segment.length > 0);
}

async function syncSegment(trx: Transaction<Database>, rooms: readonly ContextRoom[]): Promise<ContextWrite[]> {
  const known = await knownContexts(trx, rooms);
  const members = await membersOf(trx, [...known.values()]);
  const timestamp = now();
  const newConversations: Insertable<ConversationsTable>[] = [];
  const upserts: ParticipantRow[] = [];
  const writes: ContextWrite[] = [];
  for (const room of rooms) {
    const existingId = known.get(contextKey(room.context.type, room.context.id));
    if (existingId === undefined) {
      const id = randomUUID();
      newConversations.push(conversationRow(id, room, timestamp));
      upserts.push(...room.participants.map((p) => participantRow(id, p.userId, p.role, timestamp)));
      writes.push({ outcome: 'created', conversationId: id, added: room.participants.map((p) => p.userId), removed: [] });
      continue;
    }
    const diff = membershipDiff(members.get(existingId) ?? new Map(), room.participants);
    upserts.push(...diff.upsert.map((p) => participantRow(existingId, p.userId, p.role, timestamp)));
    if (diff.removed.length > 0) {
      await trx.updateTable('participants').set({ left_at: timestamp }).where('conversation_id', '=', existingId).where('user_id', 'in', diff.removed).execute();
    }
    writes.push({ outcome: diff.upsert.length + diff.removed.length > 0 ? 'updated' : 'unchanged', conversationId: existingId, added: diff.added, removed: diff.removed });
  }
  for (const chunk of chunks(newConversations)) await trx.insertInto('conversations').values(chunk).execute();
  for (const chunk of chunks(upserts)) {
    await trx
      .insertInto('participants')
      .values(chunk)
      .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doUpdateSet((eb) => ({ left_at: null, role: eb.ref('excluded.role') })))
      .execute();
  }
  return writes;
}

/** The conversation id of each context of the rooms that exists already, by `contextKey`. */
async function knownContexts(trx: Transaction<Database>, rooms: readonly ContextRoom[]): Promise<Map<string, string>> {
  const known = new Map<string, string>();
  for (const chunk of chunks(rooms, CONTEXTS_PER_LOOKUP)) {
    const rows = await trx
      .selectFrom('conversations')
      .select(['id', 'context_type', 'context_id'])
      .where((eb) => eb.or(chunk.map((r) => eb.and([eb('context_type', '=', r.context.type), eb('context_id', '=', r.context.id)]))))
      .execute();
    for (const row of rows) known.set(contextKey(row.context_type!, row.context_id!), row.id);
  }
  return known;
}

/** Current participants (user → role) of each conversation. */
async function membersOf(trx: Transaction<Database>, conversationIds: readonly string[]): Promise<Map<string, Map<string, string>>> {
  const members = new Map<string, Map<string, string>>();
  for (const chunk of chunks(conversationIds, IDS_PER_LOOKUP)) {
    const rows = await trx
      .selectFrom('participants')
      .select(['conversation_id', 'user_id', 'role'])
      .where('conversation_id', 'in', chunk)
      .where('left_at', 'is', null)
      .execute();
    for (const row of rows) {
      if (!members.has(row.conversation_id)) members.set(row.conversation_id, new Map());
      members.get(row.conversation_id)!.set(row.user_id, row.role);
    }
  }
  return members;
}

/** What makes `current` exactly `wanted`: rows to write (new, returning or re-roled) and who leaves. */
function membershipDiff(current: ReadonlyMap<string, string>, wanted: ContextRoom['participants']) {
  const upsert = wanted.filter((p) => current.get(p.userId) !== p.role);
  const added = upsert.filter((p) => !current.has(p.userId)).map((p) => p.userId);
  const keep = new Set(wanted.map((p) => p.userId));
  const removed = [...current.keys()].filter((userId) => !keep.has(userId));
  return { upsert, added, removed };
}

function conversationRow(id: string, room: ContextRoom, timestamp: string): Insertable<ConversationsTable> {
  return {
    id,
    type: room.type,
    context_type: room.context.type,
    context_id: room.context.id,
    title: room.title,
    status: 'active',
    metadata: JSON.stringify(room.metadata),
    created_by: null,
    last_message_at: null,
    last_activity_at: timestamp,
    created_at: timestamp,
    updated_at: timestamp,
  };
}

function participantRow(conversationId: string, userId: string, role: string, timestamp: string): ParticipantRow {
  return { conversation_id: conversationId, user_id: userId, role, joined_at: timestamp, left_at: null };
}

function contextKey(type: string, id: string): string {
  return JSON.stringify([type, id]);
}

function chunks<T>(rows: readonly T[], size = ROWS_PER_INSERT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
