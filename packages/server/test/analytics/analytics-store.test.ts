import { describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { AnalyticsService } from '../../src/analytics/analytics.service.js';
import type { Database } from '../../src/storage/database.js';
import type { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
import { dialects } from '../support/test-stores.js';
import { nextInstant, useTestStore } from '../store/use-test-store.js';
import { IDS, RANGE, seedAnalytics } from './analytics-seed.js';
import { EXPECTED_SUMMARY } from './expected-summary.js';

const service = { kind: 'service', keyId: 'test' } as const;
const allow = { can: () => true };

for (const dialect of dialects) {
  describe(`analytics on ${dialect}`, () => {
    const t = useTestStore(dialect);
    const db = (): Kysely<Database> => (t.store as KyselyStore).adapter.db;
    const summary = (input: Record<string, string> = {}) => new AnalyticsService(t.store, allow).summary(service, { ...RANGE, ...input });

    it('computes every figure of the seeded instance exactly', async () => {
      await seedAnalytics(t.store, db());
      expect(await summary()).toEqual(EXPECTED_SUMMARY);
    });

    it('sums days into ISO weeks (Mondays) and months', async () => {
      await seedAnalytics(t.store, db());
      const week = await summary({ groupBy: 'week' });
      expect(week.messages.series).toEqual([
        { bucket: '2029-12-31', type: 'general', sender_role: 'member', count: 1 },
        { bucket: '2029-12-31', type: 'support', sender_role: 'agent', count: 2 },
        { bucket: '2029-12-31', type: 'support', sender_role: 'requester', count: 2 },
        { bucket: '2029-12-31', type: 'support', sender_role: 'system', count: 4 },
        { bucket: '2030-01-07', type: 'general', sender_role: 'member', count: 2 },
        { bucket: '2030-01-07', type: 'support', sender_role: 'agent', count: 2 },
        { bucket: '2030-01-07', type: 'support', sender_role: 'requester', count: 2 },
        { bucket: '2030-01-07', type: 'support', sender_role: 'system', count: 2 },
      ]);
      const month = await summary({ groupBy: 'month' });
      expect(month.messages.series).toEqual([
        { bucket: '2030-01-01', type: 'general', sender_role: 'member', count: 3 },
        { bucket: '2030-01-01', type: 'support', sender_role: 'agent', count: 4 },
        { bucket: '2030-01-01', type: 'support', sender_role: 'requester', count: 4 },
        { bucket: '2030-01-01', type: 'support', sender_role: 'system', count: 6 },
      ]);
    });

    it('narrows every figure to one conversation type', async () => {
      await seedAnalytics(t.store, db());
      const general = await summary({ type: 'general' });
      expect(general.rooms).toEqual({ total: 1, created: 0, active: 1, open: 1, by_type: [{ type: 'general', total: 1, created: 0, active: 1, open: 1 }] });
      expect(general.messages.total).toBe(3);
      expect(general.active_users).toBe(2);
      expect(general.unread_backlog).toEqual([{ role: 'member', participants: 2, unread: 1 }]);
      expect(general.delivery_latency).toEqual({ count: 2, p50_ms: 1_500, p90_ms: 4_000 });
      expect(general.support.overall.cases).toBe(0);
      expect(general.support.by_agent).toEqual([]);
    });

    it('narrows every figure to the cases of one queue', async () => {
      await seedAnalytics(t.store, db());
      const billing = await summary({ queue: 'billing' });
      expect(billing.rooms.by_type).toEqual([{ type: 'support', total: 1, created: 1, active: 1, open: 1 }]);
      expect(billing.messages.total).toBe(5);
      expect(billing.active_users).toBe(2);
      expect(billing.unread_backlog).toEqual([
        { role: 'agent', participants: 1, unread: 1 },
        { role: 'requester', participants: 1, unread: 4 },
      ]);
      expect(billing.delivery_latency).toEqual({ count: 0, p50_ms: null, p90_ms: null });
      expect(billing.support.by_queue).toEqual([EXPECTED_SUMMARY.support.by_queue[0]]);
      expect(billing.support.by_agent.map((a) => [a.agent_id, a.cycles])).toEqual([[IDS.a1, 1]]);
    });

    it('counts a range as [from, to): the message at `to` and the case before `from` stay out', async () => {
      await seedAnalytics(t.store, db());
      const late = await summary({ from: '2030-01-08T12:00:00.000Z', to: '2030-01-15T00:00:00.001Z' });
      // S2's five messages, S3's one and G1's message at exactly 01-15 00:00.
      expect(late.messages.total).toBe(7);
      expect(late.support.overall.cases).toBe(2);
      expect(late.support.overall.cycles).toBe(2);
      expect(late.rooms.created).toBe(2);
    });

    it('answers an empty instance with zeros and nulls, not errors', async () => {
      const empty = await summary();
      expect(empty.rooms).toEqual({ total: 0, created: 0, active: 0, open: 0, by_type: [] });
      expect(empty.messages).toEqual({ total: 0, series: [] });
      expect(empty.delivery_latency).toEqual({ count: 0, p50_ms: null, p90_ms: null });
      expect(empty.support.overall).toEqual({ cases: 0, cycles: 0, first_response: { count: 0, p50_ms: null, p90_ms: null }, resolution: { count: 0, p50_ms: null, p90_ms: null }, resolved: 0, reopened: 0, reopen_rate: null, csat: { count: 0, average: null } });
    });
  });

  describe(`first deliveries on ${dialect}`, () => {
    const t = useTestStore(dialect);

    it('stamps the messages a receipt passes, once each, never the receiver’s own', async () => {
      const [a, b] = [await t.store.users.upsert({ id: 'a', email: null, passwordHash: null, displayName: 'a', roles: [] }), await t.store.users.upsert({ id: 'b', email: null, passwordHash: null, displayName: 'b', roles: [] })];
      const room = await t.store.conversations.create({ type: 'general', context: null, title: null, metadata: {}, createdBy: a.id, participants: [{ userId: a.id, role: 'member' }, { userId: b.id, role: 'member' }] });
      const append = async (sender: string, content: string) => (await t.store.messages.append({ conversationId: room.id, senderId: sender, kind: 'text', content })).message;
      const stamps = () => (t.store as KyselyStore).adapter.db.selectFrom('message_deliveries').select(['message_id', 'first_delivered_at']).execute();
      const first = await append(a.id, '1');
      // b's own send carries b's pointers past the first message, unstamped (the append path writes nothing more).
      const second = await append(b.id, '2');
      await t.store.conversations.markDelivered(room.id, a.id, 2);
      expect((await stamps()).map((s) => s.message_id)).toEqual([second.id]);
      const third = await append(a.id, '3');
      await t.store.conversations.markRead(room.id, b.id, 3);
      const once = await stamps();
      expect(once.map((s) => s.message_id).sort()).toEqual([second.id, third.id].sort());
      // A receipt that moves nothing writes nothing; the first time stands.
      await nextInstant();
      await t.store.conversations.markDelivered(room.id, b.id, 3);
      await t.store.conversations.markDelivered(room.id, a.id, 3);
      expect(await stamps()).toEqual(expect.arrayContaining(once));
      expect((await stamps()).length).toBe(2);
      expect((await stamps()).some((s) => s.message_id === first.id)).toBe(false);
    });
  });
}
