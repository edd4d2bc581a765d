import { describe, expect, it } from 'vitest';
import type { EscalationStep, NewBatchMessage, Store } from '../../src/storage/store.js';
import { DIALECT_TRAITS, dialects } from '../support/test-stores.js';
import { appendMessages, createConversation, createUser } from '../store/factories.js';
import { useTestStore } from '../store/use-test-store.js';

const STEPS: EscalationStep[] = [{ afterMs: 10_000, channel: 'push', urgency: 'normal', until: 'read' }];
let ids = 0;

for (const dialect of dialects) {
  describe(`notification repository on ${dialect}`, () => {
    const t = useTestStore(dialect);

    async function scene(store: Store) {
      const [ana, ben] = [await createUser(store), await createUser(store)];
      const conversation = await createConversation(store, [ana, ben]);
      const messages = await appendMessages(store, conversation.id, ana.id, 3);
      const batch = (i: number): NewBatchMessage => ({ newId: `n-${++ids}`, userId: ben.id, conversationId: conversation.id, seq: messages[i]!.seq, messageId: messages[i]!.id, createdAt: messages[i]!.createdAt, steps: STEPS });
      return { ana, ben, conversation, messages, batch };
    }
    const firstJob = (id: string) => ({ id: `${id}:step:0`, kind: 'notifications.step', subjectId: id, payload: { step: 0 } });

    it('opens one batch per recipient and conversation, writes its first step with it, and counts each message once', async () => {
      const { ben, batch } = await scene(t.store);
      const opened = await t.store.notifications.addToBatch(batch(0), firstJob);
      expect(opened.opened).toBe(true);
      expect(await t.store.outbox.byId(`${opened.notification.id}:step:0`)).toMatchObject({ kind: 'notifications.step', subjectId: opened.notification.id });
      const grown = await t.store.notifications.addToBatch(batch(1), firstJob);
      expect(grown).toMatchObject({ opened: false, notification: { id: opened.notification.id, toSeq: batch(1).seq, messageCount: 2 } });
      // A schedule job run twice for the same message changes nothing.
      expect((await t.store.notifications.addToBatch(batch(1), firstJob)).notification.messageCount).toBe(2);
      expect(await t.store.outbox.counts()).toEqual({ pending: 1, failed: 0 });
      expect(await t.store.notifications.list(ben.id, { limit: 10 })).toHaveLength(1);
    });

    it('ends up with one open batch when the messages of a conversation are scheduled concurrently', async () => {
      const { ben, batch } = await scene(t.store);
      // Another node where there can be one (SQLite has a single writer process).
      const peer = DIALECT_TRAITS[dialect].multiNode ? await t.openPeer() : t.store;
      const results = await Promise.all([t.store.notifications.addToBatch(batch(0), firstJob), peer.notifications.addToBatch(batch(1), firstJob), t.store.notifications.addToBatch(batch(2), firstJob)]);
      expect(new Set(results.map((r) => r.notification.id)).size).toBe(1);
      expect(results.filter((r) => r.opened)).toHaveLength(1);
      expect(await t.store.notifications.list(ben.id, { limit: 10 })).toEqual([expect.objectContaining({ messageCount: 3, state: 'open' })]);
    });

    it('records a step once, with the next step’s job or the batch’s end', async () => {
      const { ben, conversation, batch } = await scene(t.store);
      const { notification } = await t.store.notifications.addToBatch(batch(0), firstJob);
      const delivery = { id: `${notification.id}:step:0`, notificationId: notification.id, userId: ben.id, conversationId: conversation.id, step: 0, channel: 'push' as const, outcome: 'sent' as const, reason: null, toSeq: notification.toSeq, createdAt: new Date().toISOString() };
      await t.store.notifications.recordStep(delivery, { close: true });
      await t.store.notifications.recordStep({ ...delivery, outcome: 'skipped', reason: 'caught_up' }, { job: firstJob('other'), close: false });
      expect(await t.store.notifications.deliveries(ben.id, conversation.id)).toEqual([expect.objectContaining({ outcome: 'sent', reason: null })]);
      expect(await t.store.outbox.byId('other:step:0')).toBeUndefined();
      expect((await t.store.notifications.byId(notification.id))?.state).toBe('done');
      // The next message opens a new batch.
      expect((await t.store.notifications.addToBatch(batch(1), firstJob)).opened).toBe(true);
    });

    it('marks read only the caller’s entries, and a read through a seq only the entries it covers', async () => {
      const { ana, ben, conversation, batch } = await scene(t.store);
      const { notification } = await t.store.notifications.addToBatch(batch(0), firstJob);
      expect(await t.store.notifications.markRead(ana.id, [notification.id], new Date().toISOString())).toEqual([]);
      await t.store.notifications.addToBatch(batch(1), firstJob);
      expect(await t.store.notifications.readThrough(ben.id, conversation.id, batch(0).seq, new Date().toISOString())).toEqual([]);
      const read = await t.store.notifications.readThrough(ben.id, conversation.id, batch(1).seq, new Date().toISOString());
      expect(read).toEqual([expect.objectContaining({ id: notification.id, state: 'done', readAt: expect.any(String) })]);
      expect(await t.store.notifications.list(ben.id, { unread: true, limit: 10 })).toEqual([]);
    });

    it('writes the jobs a read owes with the pointer’s move, once per seq', async () => {
      const { ben, conversation, messages } = await scene(t.store);
      const job = (seq: number) => ({ id: `${conversation.id}:${ben.id}:${seq}:notifications.read`, kind: 'notifications.read', subjectId: conversation.id, payload: { user_id: ben.id } });
      const moved = await t.store.conversations.markRead(conversation.id, ben.id, messages[1]!.seq, [job(messages[1]!.seq)]);
      expect(moved).toMatchObject({ lastReadSeq: messages[1]!.seq, lastDeliveredSeq: messages[1]!.seq });
      await t.store.conversations.markRead(conversation.id, ben.id, messages[1]!.seq, [job(messages[1]!.seq)]);
      expect(await t.store.outbox.byId(job(messages[1]!.seq).id)).toMatchObject({ kind: 'notifications.read', payload: { user_id: ben.id }, completedAt: null });
      expect(await t.store.outbox.counts()).toEqual({ pending: 1, failed: 0 });
    });

    it('keeps one subscription per endpoint, moving it to the user who registered it last', async () => {
      const { ana, ben } = await scene(t.store);
      const sub = { endpoint: 'https://push.example/1', p256dh: 'p', auth: 'a', deviceId: null };
      await t.store.notifications.subscribe({ ...sub, userId: ana.id });
      await t.store.notifications.subscribe({ ...sub, userId: ben.id, deviceId: 'tablet' });
      expect(await t.store.notifications.subscriptions(ana.id)).toEqual([]);
      expect(await t.store.notifications.subscriptions(ben.id)).toEqual([expect.objectContaining({ endpoint: sub.endpoint, deviceId: 'tablet' })]);
      expect(await t.store.notifications.unsubscribe(ana.id, sub.endpoint)).toBe(false);
      await t.store.notifications.dropSubscription(sub.endpoint);
      expect(await t.store.notifications.subscriptions(ben.id)).toEqual([]);
    });

    it('saves settings whole and reads them back', async () => {
      const { ben } = await scene(t.store);
      expect(await t.store.notifications.settings(ben.id)).toBeUndefined();
      await t.store.notifications.saveSettings({ userId: ben.id, push: false, email: 'digest', quietHours: { start: '22:00', end: '07:00', timeZone: 'UTC' }, mutedConversations: ['c'] });
      const saved = await t.store.notifications.saveSettings({ userId: ben.id, push: true, email: 'off', quietHours: null, mutedConversations: [] });
      expect(saved).toMatchObject({ push: true, email: 'off', quietHours: null, mutedConversations: [] });
      expect(await t.store.notifications.settings(ben.id)).toEqual(saved);
    });
  });
}
