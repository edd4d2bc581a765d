import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/core/model.js';
import type { BatchEntry, EscalationStep, Notification, Store } from '../../src/storage/store.js';
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
      /** Ben's share of messages `from`..`to` (indexes). */
      const entry = (from: number, to: number = from): BatchEntry => share(ben.id, messages.slice(from, to + 1));
      /** A scheduler run that read messages `from`..`to`, the cursor standing before `from`. */
      const schedule = (on: Store, from: number, to: number = from, cursorAt = from === 0 ? 0 : messages[from - 1]!.seq) =>
        on.notifications.scheduleBatches(conversation.id, { from: cursorAt, through: messages[to]!.seq }, [entry(from, to)], firstJob);
      return { ana, ben, conversation, messages, schedule };
    }
    const share = (userId: string, messages: readonly Message[]): BatchEntry => ({
      newId: `n-${++ids}`,
      userId,
      fromSeq: messages[0]!.seq,
      toSeq: messages[messages.length - 1]!.seq,
      lastMessageId: messages[messages.length - 1]!.id,
      messageCount: messages.length,
      firstMessageAt: messages[0]!.createdAt,
      steps: STEPS,
    });
    const firstJob = (_entry: BatchEntry, id: string) => ({ id: `${id}:step:0`, kind: 'notifications.step', subjectId: id, payload: { step: 0 } });

    it('opens one batch per recipient and conversation, writes its first step with it, and moves the cursor', async () => {
      const { ben, conversation, messages, schedule } = await scene(t.store);
      expect(await t.store.notifications.scheduledThrough(conversation.id)).toBe(0);
      const [opened] = (await schedule(t.store, 0))!;
      expect(opened!.opened).toBe(true);
      expect(await t.store.outbox.byId(`${opened!.notification.id}:step:0`)).toMatchObject({ kind: 'notifications.step', subjectId: opened!.notification.id });
      expect(await t.store.notifications.scheduledThrough(conversation.id)).toBe(messages[0]!.seq);
      const [grown] = (await schedule(t.store, 1, 2))!;
      expect(grown).toMatchObject({ opened: false, notification: { id: opened!.notification.id, toSeq: messages[2]!.seq, messageCount: 3 } });
      expect(await t.store.notifications.scheduledThrough(conversation.id)).toBe(messages[2]!.seq);
      expect(await t.store.outbox.counts()).toEqual({ pending: 1, failed: 0 });
      expect(await t.store.notifications.list(ben.id, { limit: 10 })).toHaveLength(1);
    });

    it('writes nothing for a run whose cursor another run moved first', async () => {
      const { ben, conversation, messages, schedule } = await scene(t.store);
      await schedule(t.store, 0, 1);
      // A second run that read from the start again, as a re-run after a crash would.
      expect(await schedule(t.store, 0, 2, 0)).toBeUndefined();
      expect(await t.store.notifications.scheduledThrough(conversation.id)).toBe(messages[1]!.seq);
      expect(await t.store.notifications.list(ben.id, { limit: 10 })).toEqual([expect.objectContaining({ toSeq: messages[1]!.seq, messageCount: 2 })]);
      expect(await t.store.outbox.counts()).toEqual({ pending: 1, failed: 0 });
    });

    it('lets exactly one of concurrent runs over the same messages write', async () => {
      const { ben, schedule } = await scene(t.store);
      // Another node where there can be one (SQLite has a single writer process).
      const peer = DIALECT_TRAITS[dialect].multiNode ? await t.openPeer() : t.store;
      const results = await Promise.all([schedule(t.store, 0, 2), schedule(peer, 0, 2), schedule(t.store, 0, 1)]);
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      expect(await t.store.notifications.list(ben.id, { limit: 10 })).toEqual([expect.objectContaining({ state: 'open' })]);
      expect(await t.store.outbox.counts()).toEqual({ pending: 1, failed: 0 });
    });

    it('records a step once, with the next step’s job or the batch’s end', async () => {
      const { ben, conversation, schedule } = await scene(t.store);
      const notification: Notification = (await schedule(t.store, 0))![0]!.notification;
      const delivery = { id: `${notification.id}:step:0`, notificationId: notification.id, userId: ben.id, conversationId: conversation.id, step: 0, channel: 'push' as const, outcome: 'sent' as const, reason: null, toSeq: notification.toSeq, createdAt: new Date().toISOString() };
      await t.store.notifications.recordStep(delivery, { close: true });
      await t.store.notifications.recordStep({ ...delivery, outcome: 'skipped', reason: 'caught_up' }, { job: { id: 'other:step:0', kind: 'notifications.step', subjectId: 'other', payload: { step: 0 } }, close: false });
      expect(await t.store.notifications.deliveries(ben.id, conversation.id)).toEqual([expect.objectContaining({ outcome: 'sent', reason: null })]);
      expect(await t.store.outbox.byId('other:step:0')).toBeUndefined();
      expect((await t.store.notifications.byId(notification.id))?.state).toBe('done');
      // The next message opens a new batch.
      expect((await schedule(t.store, 1))![0]!.opened).toBe(true);
    });

    it('marks read only the caller’s entries, and a read through a seq only the entries it covers', async () => {
      const { ana, ben, conversation, messages, schedule } = await scene(t.store);
      const notification: Notification = (await schedule(t.store, 0))![0]!.notification;
      expect(await t.store.notifications.markRead(ana.id, [notification.id], new Date().toISOString())).toEqual([]);
      await schedule(t.store, 1);
      expect(await t.store.notifications.readThrough(ben.id, conversation.id, messages[0]!.seq, new Date().toISOString())).toEqual([]);
      const read = await t.store.notifications.readThrough(ben.id, conversation.id, messages[1]!.seq, new Date().toISOString());
      expect(read).toEqual([expect.objectContaining({ id: notification.id, state: 'done', readAt: expect.any(String) })]);
      expect(await t.store.notifications.list(ben.id, { unread: true, limit: 10 })).toEqual([]);
    });

    it('writes the coalesced job a read owes with the pointer’s move, one per reader and conversation', async () => {
      const { ben, conversation, messages } = await scene(t.store);
      const job = { id: `${conversation.id}:${ben.id}:notifications.read`, kind: 'notifications.read', subjectId: conversation.id, payload: { user_id: ben.id }, coalesce: true };
      const moved = await t.store.conversations.markRead(conversation.id, ben.id, messages[1]!.seq, [job]);
      expect(moved).toMatchObject({ lastReadSeq: messages[1]!.seq, lastDeliveredSeq: messages[1]!.seq });
      await t.store.conversations.markRead(conversation.id, ben.id, messages[2]!.seq, [job]);
      expect(await t.store.outbox.byId(job.id)).toMatchObject({ kind: 'notifications.read', payload: { user_id: ben.id }, completedAt: null });
      expect(await t.store.outbox.counts()).toEqual({ pending: 1, failed: 0 });
    });

    it('reads settings and push subscriptions for many users at once', async () => {
      const { ana, ben } = await scene(t.store);
      await t.store.notifications.subscribe({ endpoint: 'https://push.example/a1', p256dh: 'p', auth: 'a', deviceId: null, userId: ana.id });
      await t.store.notifications.subscribe({ endpoint: 'https://push.example/a2', p256dh: 'p', auth: 'a', deviceId: null, userId: ana.id });
      await t.store.notifications.saveSettings({ userId: ben.id, push: false, email: 'off', quietHours: null, mutedConversations: [] });
      expect(await t.store.notifications.subscribedUsers([ana.id, ben.id])).toEqual(new Set([ana.id]));
      expect([...(await t.store.notifications.settingsOf([ana.id, ben.id])).keys()]).toEqual([ben.id]);
      expect(await t.store.notifications.subscribedUsers([])).toEqual(new Set());
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
