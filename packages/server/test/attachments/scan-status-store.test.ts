import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ScanStatus } from '../../src/core/model.js';
import type { Store, StoredAttachment } from '../../src/storage/store.js';
import { dialects } from '../support/test-stores.js';
import { buildMessage, createConversation, createUser } from '../store/factories.js';
import { useTestStore } from '../store/use-test-store.js';

/** The scan job an upload owes, as the attachment service writes it. */
const scanJob = (attachmentId: string) => ({ id: `${attachmentId}:attachments.scan`, kind: 'attachments.scan', subjectId: attachmentId });

/** A valid attachment record, as the service writes one after storing its bytes. */
function buildAttachment(uploaderId: string, overrides: Partial<StoredAttachment> = {}): Omit<StoredAttachment, 'conversationId' | 'messageId'> {
  return {
    id: randomUUID(),
    uploaderId,
    name: 'report.pdf',
    contentType: 'application/pdf',
    size: 1234,
    storageKey: randomBytes(24).toString('base64url'),
    thumbnailKey: null,
    createdAt: new Date().toISOString(),
    scanStatus: 'pending',
    scanDetail: null,
    ...overrides,
  };
}

for (const dialect of dialects) {
  describe(`scan status in the store on ${dialect}`, () => {
    const t = useTestStore(dialect);

    /** Uploads of one user, claimed by one message in a conversation. */
    async function sentWith(store: Store, count: number) {
      const ana = await createUser(store);
      const conversation = await createConversation(store, [ana]);
      const uploads: StoredAttachment[] = [];
      for (let i = 0; i < count; i++) {
        const upload = buildAttachment(ana.id);
        uploads.push(await store.attachments.insert(upload, [scanJob(upload.id)]));
      }
      const ids = uploads.map((u) => u.id);
      const bound = (await store.attachments.bind(ids, ana.id, conversation.id))!;
      const carried = bound.map((b) => ({ id: b.id, name: b.name, contentType: b.contentType, size: b.size, scanStatus: b.scanStatus }));
      const { message } = await store.messages.append(buildMessage(conversation.id, ana.id, { attachments: carried }));
      return { ana, ids, message };
    }

    const carriedStatuses = async (store: Store, messageId: string): Promise<(ScanStatus | undefined)[]> =>
      ((await store.messages.byId(messageId))?.attachments ?? []).map((a) => a.scanStatus);

    it('writes an upload’s scan job in the transaction of its record, and neither when the record fails', async () => {
      const ana = await createUser(t.store);
      const upload = buildAttachment(ana.id);
      const stored = await t.store.attachments.insert(upload, [scanJob(upload.id)]);
      expect(stored).toMatchObject({ id: upload.id, scanStatus: 'pending', scanDetail: null });
      expect(await t.store.outbox.byId(`${upload.id}:attachments.scan`)).toMatchObject({ kind: 'attachments.scan', subjectId: upload.id, attempts: 0, completedAt: null });

      // The same id again violates the primary key: the second job must roll back with it.
      const again = { ...upload, storageKey: randomBytes(24).toString('base64url') };
      await expect(t.store.attachments.insert(again, [{ id: 'should-not-exist', kind: 'attachments.scan', subjectId: upload.id }])).rejects.toThrow();
      expect(await t.store.outbox.byId('should-not-exist')).toBeUndefined();
      expect(await t.countRows('attachments')).toBe(1);
    });

    it('moves the status only from the statuses given, so a repeated scan changes nothing', async () => {
      const ana = await createUser(t.store);
      const { id } = await t.store.attachments.insert(buildAttachment(ana.id));
      const infected = await t.store.attachments.settleScan(id, ['pending', 'unscanned'], 'infected', 'Eicar-Test-Signature');
      expect(infected).toMatchObject({ id, scanStatus: 'infected', scanDetail: 'Eicar-Test-Signature' });
      expect(await t.store.attachments.settleScan(id, ['pending', 'unscanned'], 'clean', null)).toBeUndefined();
      expect(await t.store.attachments.byId(id)).toMatchObject({ scanStatus: 'infected', scanDetail: 'Eicar-Test-Signature' });
      expect(await t.store.attachments.settleScan('no-such-upload', ['pending'], 'clean', null)).toBeUndefined();
    });

    it('keeps the copy a message carries in step with each settled scan', async () => {
      const { ids, message } = await sentWith(t.store, 2);
      await t.store.attachments.setMessage(ids, message.id);
      expect(await carriedStatuses(t.store, message.id)).toEqual(['pending', 'pending']);
      await t.store.attachments.settleScan(ids[1]!, ['pending'], 'infected', 'Eicar-Test-Signature');
      expect(await carriedStatuses(t.store, message.id)).toEqual(['pending', 'infected']);
      await t.store.attachments.settleScan(ids[0]!, ['pending'], 'clean', null);
      expect(await carriedStatuses(t.store, message.id)).toEqual(['clean', 'infected']);
    });

    it('brings the copy up to date when the scan settled before the message was recorded', async () => {
      const { ids, message } = await sentWith(t.store, 1);
      // Between the claim and setMessage: the row is settled, the message does not know yet.
      await t.store.attachments.settleScan(ids[0]!, ['pending'], 'clean', null);
      expect(await carriedStatuses(t.store, message.id)).toEqual(['pending']);
      await t.store.attachments.setMessage(ids, message.id);
      expect(await carriedStatuses(t.store, message.id)).toEqual(['clean']);
    });

    it('loses no status when the scans of one message settle at the same time', async () => {
      const { ids, message } = await sentWith(t.store, 6);
      await t.store.attachments.setMessage(ids, message.id);
      // On PostgreSQL these run on separate connections, truly at once.
      await Promise.all(ids.map((id) => t.store.attachments.settleScan(id, ['pending'], 'clean', null)));
      expect(await carriedStatuses(t.store, message.id)).toEqual(ids.map(() => 'clean'));
    });
  });
}
