import type { Selectable } from 'kysely';
import type { AttachmentsTable } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import type { AttachmentRepository, StoredAttachment } from '../store.js';

const toAttachment = (row: Selectable<AttachmentsTable>): StoredAttachment => ({
  id: row.id,
  uploaderId: row.uploader_id,
  name: row.name,
  contentType: row.content_type,
  size: Number(row.size),
  storageKey: row.storage_key,
  thumbnailKey: row.thumbnail_key,
  conversationId: row.conversation_id,
  messageId: row.message_id,
  createdAt: row.created_at,
});

export class KyselyAttachmentRepository implements AttachmentRepository {
  constructor(private readonly adapter: DialectAdapter) {}

  async insert(a: Omit<StoredAttachment, 'conversationId' | 'messageId'>): Promise<StoredAttachment> {
    const row = {
      id: a.id,
      uploader_id: a.uploaderId,
      name: a.name,
      content_type: a.contentType,
      size: a.size,
      storage_key: a.storageKey,
      thumbnail_key: a.thumbnailKey,
      conversation_id: null,
      message_id: null,
      created_at: a.createdAt,
    };
    await this.adapter.db.insertInto('attachments').values(row).execute();
    return toAttachment(row);
  }

  async byId(id: string): Promise<StoredAttachment | undefined> {
    const row = await this.adapter.db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAttachment(row);
  }

  async bind(ids: readonly string[], uploaderId: string, conversationId: string): Promise<StoredAttachment[] | undefined> {
    if (ids.length === 0) return [];
    return this.adapter.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('attachments')
        .set({ conversation_id: conversationId })
        .where('id', 'in', [...ids])
        .where('uploader_id', '=', uploaderId)
        .where('conversation_id', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== new Set(ids).size) {
        // Some id was unknown, foreign or taken: undo by throwing out of the transaction.
        throw new BindMismatch();
      }
      const rows = await trx.selectFrom('attachments').selectAll().where('id', 'in', [...ids]).execute();
      return ids.map((id) => toAttachment(rows.find((r) => r.id === id)!));
    }).catch((error: unknown) => {
      if (error instanceof BindMismatch) return undefined;
      throw error;
    });
  }

  async setMessage(ids: readonly string[], messageId: string): Promise<void> {
    if (ids.length === 0) return;
    await this.adapter.db.updateTable('attachments').set({ message_id: messageId }).where('id', 'in', [...ids]).execute();
  }

  async release(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.adapter.db.updateTable('attachments').set({ conversation_id: null }).where('id', 'in', [...ids]).where('message_id', 'is', null).execute();
  }

  async unboundBefore(isoInstant: string, limit: number): Promise<StoredAttachment[]> {
    const rows = await this.adapter.db
      .selectFrom('attachments')
      .selectAll()
      .where('conversation_id', 'is', null)
      .where('created_at', '<', isoInstant)
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map(toAttachment);
  }

  async deleteUnbound(id: string): Promise<boolean> {
    const result = await this.adapter.db.deleteFrom('attachments').where('id', '=', id).where('conversation_id', 'is', null).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

class BindMismatch extends Error {}
