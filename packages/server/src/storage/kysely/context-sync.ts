import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { ContextRoom } from '../store.js';
import { now } from './rows.js';

/** What one room's sync wrote, before the conversation is read back. */
export interface ContextWrite {
  readonly outcome: 'created' | 'updated' | 'unchanged';
  readonly conversationId: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/**
 * One room of `syncContexts`, inside the batch's transaction: creates the host object's
 * conversation, or makes the current participants of the existing one exactly those given.
 */
export async function syncContextIn(trx: Transaction<Database>, room: ContextRoom): Promise<ContextWrite> {
  const existing = await trx
    .selectFrom('conversations')
    .select('id')
    .where('context_type', '=', room.context.type)
    .where('context_id', '=', room.context.id)
    .executeTakeFirst();
  if (!existing) return insertRoom(trx, room);
  return syncMembers(trx, existing.id, room.participants);
}

async function insertRoom(trx: Transaction<Database>, room: ContextRoom): Promise<ContextWrite> {
  const id = randomUUID();
  const timestamp = now();
  await trx
    .insertInto('conversations')
    .values({
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
    })
    .execute();
  if (room.participants.length > 0) {
    await trx
      .insertInto('participants')
      .values(room.participants.map((p) => ({ conversation_id: id, user_id: p.userId, role: p.role, joined_at: timestamp, left_at: null })))
      .execute();
  }
  return { outcome: 'created', conversationId: id, added: room.participants.map((p) => p.userId), removed: [] };
}

async function syncMembers(trx: Transaction<Database>, conversationId: string, wanted: ContextRoom['participants']): Promise<ContextWrite> {
  const rows = await trx.selectFrom('participants').select(['user_id', 'role', 'left_at']).where('conversation_id', '=', conversationId).execute();
  const current = new Map(rows.filter((r) => r.left_at === null).map((r) => [r.user_id, r.role]));
  const timestamp = now();
  const added: string[] = [];
  let roleChanged = false;
  for (const { userId, role } of wanted) {
    if (current.get(userId) === role) continue;
    if (current.has(userId)) roleChanged = true;
    else added.push(userId);
    await trx
      .insertInto('participants')
      .values({ conversation_id: conversationId, user_id: userId, role, joined_at: timestamp, left_at: null })
      .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doUpdateSet({ left_at: null, role }))
      .execute();
  }
  const keep = new Set(wanted.map((p) => p.userId));
  const removed = [...current.keys()].filter((userId) => !keep.has(userId));
  if (removed.length > 0) {
    await trx.updateTable('participants').set({ left_at: timestamp }).where('conversation_id', '=', conversationId).where('user_id', 'in', removed).execute();
  }
  const changed = added.length > 0 || removed.length > 0 || roleChanged;
  return { outcome: changed ? 'updated' : 'unchanged', conversationId, added, removed };
}
