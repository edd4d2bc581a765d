import { describe, expect, it, vi } from 'vitest';
import type { ReportedMessage } from '../../src/storage/store.js';
import { dialects } from '../support/test-stores.js';
import { appendMessages, createConversation, createUser } from './factories.js';
import { useTestStore } from './use-test-store.js';

const audit = (action: string, targetId = 'x') => ({ actorId: null, action, targetType: 'message' as const, targetId, reason: null, params: {} });

for (const dialect of dialects) {
  describe(`moderation storage on ${dialect}`, () => {
    const t = useTestStore(dialect);

    async function reported(people = 4) {
      const users = await Promise.all(Array.from({ length: people }, () => createUser(t.store)));
      const conversation = await createConversation(t.store, users);
      const [m] = await appendMessages(t.store, conversation.id, users[0]!.id, 1);
      return { users, conversation, m: m! };
    }
    const report = (m: { id: string; conversationId: string }, reporterId: string, reason = 'spam', autoHideAt = 3) =>
      t.store.moderation.report({ messageId: m.id, conversationId: m.conversationId, reporterId, reason, note: null }, autoHideAt);

    it('keeps one report per reporter and message, marks the message reported, and counts distinct people', async () => {
      const { users, m } = await reported();
      const first = await report(m, users[1]!.id);
      expect(first).toMatchObject({ created: true, openReporters: 1, autoHidden: false, message: { reported: true, hidden: false } });
      const again = await report(m, users[1]!.id, 'abuse');
      expect(again).toMatchObject({ created: false, openReporters: 1, report: { id: first.report.id, reason: 'spam' } });
      // The server's own report does not count towards hiding.
      expect((await report(m, 'system:blocklist', 'blocklist')).openReporters).toBe(1);
      expect(await t.countRows('message_reports')).toBe(2);
    });

    it('hides the message in the report that reaches the threshold, with the server’s audit line', async () => {
      const { users, m } = await reported();
      await report(m, users[1]!.id);
      await report(m, users[2]!.id);
      const third = await report(m, users[3]!.id);
      expect(third).toMatchObject({ autoHidden: true, openReporters: 3, message: { hidden: true } });
      expect((await t.store.messages.byId(m.id))!.hidden).toBe(true);
      const log = await t.store.moderation.auditLog({ limit: 10 });
      expect(log).toEqual([expect.objectContaining({ actorId: null, action: 'auto_hide', targetId: m.id })]);
    });

    it('groups the queue by message, oldest first, and settles reports with the action and its audit line in one go', async () => {
      const a = await reported(3);
      const b = await reported(3);
      await report(a.m, a.users[1]!.id, 'spam');
      await report(b.m, b.users[1]!.id, 'abuse');
      await report(a.m, a.users[2]!.id, 'abuse');
      const queue = await t.store.moderation.queue({ state: 'open', limit: 10 });
      expect(queue.map((g) => [g.messageId, g.reports.length])).toEqual([
        [a.m.id, 2],
        [b.m.id, 1],
      ]);
      const page = await t.store.moderation.queue({ state: 'open', limit: 1, after: queue[0]! });
      expect(page.map((g) => g.messageId)).toEqual([b.m.id]);

      const { message, settled } = await t.store.moderation.actOnMessage({ messageId: a.m.id, patch: { hidden: true }, resolveReports: 'actioned', by: 'mod', audit: { ...audit('hide', a.m.id), actorId: 'mod' } });
      expect(message.hidden).toBe(true);
      expect(settled).toBe(2);
      expect((await t.store.moderation.queue({ state: 'open', limit: 10 })).map((g) => g.messageId)).toEqual([b.m.id]);
      expect((await t.store.moderation.queue({ state: 'actioned', limit: 10 }))[0]!.reports.every((r) => r.resolvedBy === 'mod')).toBe(true);
      expect((await t.store.moderation.auditLog({ limit: 10 }))[0]).toMatchObject({ actorId: 'mod', action: 'hide', params: { reports_settled: 2 } });
    });

    it('pages on past messages whose first reports share a millisecond', async () => {
      const scenes = [await reported(2), await reported(2), await reported(2)];
      vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2030-01-01T00:00:00.000Z') });
      try {
        for (const s of scenes) await report(s.m, s.users[1]!.id);
      } finally {
        vi.useRealTimers();
      }
      const pages: string[][] = [];
      let after: ReportedMessage | undefined;
      for (;;) {
        const page = await t.store.moderation.queue({ state: 'open', limit: 1, ...(after && { after }) });
        if (page.length === 0) break;
        pages.push(page.map((g) => g.messageId));
        after = page[page.length - 1];
      }
      // Each message on a page of its own, none skipped, none twice.
      expect(pages).toHaveLength(3);
      expect(pages.flat().sort()).toEqual(scenes.map((s) => s.m.id).sort());
    });

    it('writes neither the change nor the audit line when the action fails', async () => {
      const { users, m } = await reported(2);
      await report(m, users[1]!.id);
      await expect(t.store.moderation.actOnMessage({ messageId: 'no-such-message', patch: { hidden: true }, resolveReports: 'actioned', by: 'mod', audit: audit('hide') })).rejects.toMatchObject({ code: 'message_not_found' });
      expect(await t.countRows('moderation_audit')).toBe(0);
    });

    it('finds the restrictions in force: not expired, not lifted', async () => {
      const [u] = await Promise.all([createUser(t.store)]);
      const user = u!;
      const past = new Date(Date.now() - 1000).toISOString();
      const future = new Date(Date.now() + 60_000).toISOString();
      const base = { userId: user.id, shadow: false, reason: 'r', createdBy: 'mod' };
      const everywhere = await t.store.moderation.restrict({ ...base, kind: 'ban', conversationId: null, until: null }, audit('ban'));
      const here = await t.store.moderation.restrict({ ...base, kind: 'mute', conversationId: 'c1', until: future }, audit('mute'));
      const there = await t.store.moderation.restrict({ ...base, kind: 'mute', conversationId: 'c2', until: future }, audit('mute'));
      await t.store.moderation.restrict({ ...base, kind: 'mute', conversationId: 'c1', until: past }, audit('mute'));
      const now = new Date().toISOString();
      expect((await t.store.moderation.restrictionsInForce(user.id, now)).map((r) => r.id).sort()).toEqual([everywhere.id, here.id, there.id].sort());
      expect(await t.store.moderation.lift(everywhere.id, 'mod', { ...audit('unban'), targetType: 'restriction' })).toMatchObject({ id: everywhere.id, liftedBy: 'mod' });
      // Lifting twice finds nothing in force.
      expect(await t.store.moderation.lift(everywhere.id, 'mod', { ...audit('unban'), targetType: 'restriction' })).toBeUndefined();
      expect((await t.store.moderation.restrictionsInForce(user.id, now)).map((r) => r.id).sort()).toEqual([here.id, there.id].sort());
      expect(await t.countRows('moderation_audit')).toBe(5);
    });

    it('replaces one action’s terms and moves a term between lists', async () => {
      await t.store.moderation.replaceBlocklist('block', ['spam', 'scam'], audit('blocklist'));
      await t.store.moderation.replaceBlocklist('mask', ['darn', 'scam'], audit('blocklist'));
      expect(await t.store.moderation.blocklist()).toEqual([
        { term: 'darn', action: 'mask' },
        { term: 'scam', action: 'mask' },
        { term: 'spam', action: 'block' },
      ]);
      await t.store.moderation.replaceBlocklist('block', [], audit('blocklist'));
      expect((await t.store.moderation.blocklist()).map((x) => x.term)).toEqual(['darn', 'scam']);
    });

    it('records blocks once and tells who among a list blocks someone', async () => {
      const [a, b, c] = await Promise.all([createUser(t.store), createUser(t.store), createUser(t.store)]);
      expect(await t.store.moderation.block(a.id, c.id)).toBe(true);
      expect(await t.store.moderation.block(a.id, c.id)).toBe(false);
      expect(await t.store.moderation.blockersAmong(c.id, [a.id, b.id])).toEqual([a.id]);
      expect(await t.store.moderation.unblock(a.id, c.id)).toBe(true);
      expect(await t.store.moderation.blockersAmong(c.id, [a.id, b.id])).toEqual([]);
    });

    it('sets slow mode with its audit line, and writes neither for an unknown conversation', async () => {
      const { users, conversation } = await reported(2);
      // Read once, so a store that keeps access facts in memory has them.
      await t.store.conversations.accessFacts(conversation.id, users[0]!.id);
      const saved = await t.store.moderation.setSlowMode(conversation.id, 30, { ...audit('slow_mode', conversation.id), targetType: 'conversation' });
      expect(saved.slowModeSeconds).toBe(30);
      expect((await t.store.conversations.accessFacts(conversation.id, users[0]!.id))!.conversation.slowModeSeconds).toBe(30);
      await expect(t.store.moderation.setSlowMode('no-such-conversation', 30, { ...audit('slow_mode'), targetType: 'conversation' })).rejects.toMatchObject({ code: 'conversation_not_found' });
      expect(await t.countRows('moderation_audit')).toBe(1);
    });

    it('stores a shadowed message as such', async () => {
      const { users, conversation } = await reported(2);
      const { message } = await t.store.messages.append({ conversationId: conversation.id, senderId: users[0]!.id, kind: 'text', content: 'quiet', shadowed: true });
      expect(message.shadowed).toBe(true);
      expect((await t.store.messages.byId(message.id))!.shadowed).toBe(true);
    });
  });
}
