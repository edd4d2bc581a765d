import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { AppError } from '../../core/errors.js';
import type { Json, Message } from '../../core/model.js';
import type { Database } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import type { AppendResult, MessagePageQuery, MessageRepository, NewMessage } from '../store.js';
import { now, toMessage } from './rows.js';

export class KyselyMessageRepository implements MessageRepository {
  constructor(private readonly adapter: DialectAdapter) {}

  private get db(): Kysely<Database> {
    return this.adapter.db;
  }

  async append(input: NewMessage): Promise<AppendResult> {
    try {
      return await this.db.transaction().execute((trx) => this.appendIn(trx, input));
    } catch (error) {
      // Two sends with one client id raced: the loser's whole transaction (its seq included)
      // rolled back, so the seq stays gap-free and the winner's message is the answer.
      if (this.adapter.isUniqueViolation(error) && input.clientId != null) {
        const original = await this.byClientId(this.db, input.senderId, input.clientId);
        if (original) return { message: original, created: false };
      }
      throw error;
    }
  }

  /** The append inside a caller's transaction (a conversation created with its first message). */
  async appendIn(trx: Transaction<Database>, input: NewMessage): Promise<AppendResult> {
    if (input.clientId != null) {
      const original = await this.byClientId(trx, input.senderId, input.clientId);
      if (original) return { message: original, created: false };
    }
    const timestamp = now();
    // The row update takes the conversation's write lock, so concurrent appenders queue here.
    const bumped = await trx
      .updateTable('conversations')
      .set((eb) => ({ last_seq: eb('last_seq', '+', 1), last_message_at: timestamp, last_activity_at: timestamp, updated_at: timestamp }))
      .where('id', '=', input.conversationId)
      .returning('last_seq')
      .executeTakeFirst();
    if (!bumped) throw new AppError('conversation_not_found');
    const row = {
      id: randomUUID(),
      conversation_id: input.conversationId,
      seq: Number(bumped.last_seq),
      sender_id: input.senderId,
      kind: input.kind,
      content: input.content,
      attachments: JSON.stringify(input.attachments ?? []),
      reply_to: input.replyTo ?? null,
      metadata: JSON.stringify(input.metadata ?? {}),
      client_id: input.clientId ?? null,
      edited_at: null,
      deleted_at: null,
      hidden: 0,
      created_at: timestamp,
    };
    await trx.insertInto('messages').values(row).execute();
    if (input.senderId !== null) {
      await trx
        .updateTable('participants')
        .set({ last_read_seq: row.seq, last_delivered_seq: row.seq })
        .where('conversation_id', '=', input.conversationId)
        .where('user_id', '=', input.senderId)
        .where('last_read_seq', '<', row.seq)
        .execute();
    }
    return { message: toMessage(row), created: true };
  }

  private async byClientId(db: Kysely<Database>, senderId: string | null, clientId: string): Promise<Message | undefined> {
    let query = db.selectFrom('messages').selectAll().where('client_id', '=', clientId);
    query = senderId === null ? query.where('sender_id', 'is', null) : query.where('sender_id', '=', senderId);
    const row = await query.executeTakeFirst();
    return row && toMessage(row);
  }

  async byId(id: string): Promise<Message | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toMessage(row);
  }

  async byIds(ids: readonly string[]): Promise<Message[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('messages').selectAll().where('id', 'in', [...ids]).execute();
    return rows.map(toMessage);
  }

  async page(query: MessagePageQuery): Promise<{ messages: Message[]; hasMore: boolean }> {
    let select = this.db.selectFrom('messages').selectAll().where('conversation_id', '=', query.conversationId);
    const forward = query.afterSeq !== undefined;
    if (query.afterSeq !== undefined) select = select.where('seq', '>', query.afterSeq);
    if (query.beforeSeq !== undefined) select = select.where('seq', '<', query.beforeSeq);
    const rows = await select
      .orderBy('seq', forward ? 'asc' : 'desc')
      .limit(query.limit + 1)
      .execute();
    const hasMore = rows.length > query.limit;
    const page = rows.slice(0, query.limit).map(toMessage);
    return { messages: forward ? page : page.reverse(), hasMore };
  }

  async window(conversationId: string, skip: number, limit: number): Promise<Message[]> {
    const rows = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('seq', 'desc')
      .limit(limit)
      .offset(skip)
      .execute();
    return rows.map(toMessage).reverse();
  }

  async update(id: string, patch: { content?: string; editedAt?: string; deletedAt?: string; hidden?: boolean; metadata?: Json }): Promise<Message> {
    await this.db
      .updateTable('messages')
      .set({
        ...(patch.content !== undefined && { content: patch.content }),
        ...(patch.editedAt !== undefined && { edited_at: patch.editedAt }),
        ...(patch.deletedAt !== undefined && { deleted_at: patch.deletedAt }),
        ...(patch.hidden !== undefined && { hidden: patch.hidden ? 1 : 0 }),
        ...(patch.metadata !== undefined && { metadata: JSON.stringify(patch.metadata) }),
      })
      .where('id', '=', id)
      .execute();
    const saved = await this.byId(id);
    if (!saved) throw new AppError('message_not_found');
    return saved;
  }
}
