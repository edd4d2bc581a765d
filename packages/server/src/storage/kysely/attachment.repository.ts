import type { Kysely, Selectable } from 'kysely';
import type { Attachment, ScanStatus } from '../../core/model.js';
import type { AttachmentsTable, Database } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import type { AttachmentRepository, NewJob, StoredAttachment } from '../store.js';
import { KyselyOutboxRepository } from './outbox.repository.js';

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
  scanStatus: row.scan_status as ScanStatus,
  scanDetail: row.scan_detail,
});

export class KyselyAttachmentRepository implements AttachmentRepository {
  constructor(
    private readonly adapter: DialectAdapter,
    private readonly outbox: KyselyOutboxRepository = new KyselyOutboxRepository(adapter),
  ) {}

  async insert(a: Omit<StoredAttachment, 'conversationId' | 'messageId'>, jobs: readonly NewJob[] = []): Promise<StoredAttachment> {
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
      scan_status: a.scanStatus,
      scan_detail: a.scanDetail,
    };
    await this.adapter.db.transaction().execute(async (trx) => {
      await trx.insertInto('attachments').values(row).execute();
      await this.outbox.enqueueIn(trx, jobs, a.createdAt);
    });
    return toAttachment(row);
  }

  async settleScan(id: string, from: readonly ScanStatus[], to: ScanStatus, detail: string | null): Promise<StoredAttachment | undefined> {
    if (from.length === 0) return undefined;
    return this.adapter.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('attachments').set({ scan_status: to, scan_detail: detail }).where('id', '=', id).where('scan_status', 'in', [...from]).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return undefined;
      const row = await trx.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      if (row.message_id !== null) await syncCarriedStatuses(trx, row.message_id);
      return toAttachment(row);
    });
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
    await this.adapter.db.transaction().execute(async (trx) => {
      await trx.updateTable('attachments').set({ message_id: messageId }).where('id', 'in', [...ids]).execute();
      await syncCarriedStatuses(trx, messageId);
    });
  }

  async release(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.adapter.db.updateTable('attachments').set({ conversation_id: null }).where('id', 'in', [...ids]).where('message_id', 'is', null).execute();
  }

  async keysInUse(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.adapter.db
      .selectFrom('attachments')
      .select(['storage_key', 'thumbnail_key'])
      .where((eb) => eb.or([eb('storage_key', 'in', [...keys]), eb('thumbnail_key', 'in', [...keys])]))
      .execute();
    const wanted = new Set(keys);
    return new Set(rows.flatMap((r) => [r.storage_key, r.thumbnail_key]).filter((k): k is string => k !== null && wanted.has(k)));
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

/**
 * A message keeps a copy of its attachments (as they were when it was sent), so it reads in one
 * query; this brings the scan statuses in that copy up to date with the attachment rows. Callers
 * have updated the attachment rows first. The no-op update takes the message row's lock before
 * reading, so two scans of one message settling at once cannot write each other's stale copy.
 */
async function syncCarriedStatuses(trx: Kysely<Database>, messageId: string): Promise<void> {
  await trx.updateTable('messages').set((eb) => ({ attachments: eb.ref('attachments') })).where('id', '=', messageId).execute();
  const message = await trx.selectFrom('messages').select('attachments').where('id', '=', messageId).executeTakeFirst();
  if (!message) return;
  const rows = await trx.selectFrom('attachments').select(['id', 'scan_status']).where('message_id', '=', messageId).execute();
  const statusOf = new Map(rows.map((r) => [r.id, r.scan_status as ScanStatus]));
  const carried = JSON.parse(message.attachments) as Attachment[];
  const current = carried.map((a) => {
    const status = statusOf.get(a.id);
    return status === undefined || status === a.scanStatus ? a : { ...a, scanStatus: status };
  });
  if (current.some((a, i) => a !== carried[i])) {
    await trx.updateTable('messages').set({ attachments: JSON.stringify(current) }).where('id', '=', messageId).execute();
  }
}
