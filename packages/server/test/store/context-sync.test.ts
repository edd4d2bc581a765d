import { describe, expect, it } from 'vitest';
import type { ContextRoom } from '../../src/storage/store.js';
import { dialects } from '../support/test-stores.js';
import { appendMessages, createConversation, createUser } from './factories.js';
import { nextInstant, useTestStore } from './use-test-store.js';

const room = (id: string, participants: ContextRoom['participants'], overrides: Partial<ContextRoom> = {}): ContextRoom => ({
  context: { type: 'job', id },
  type: 'job',
  title: `Job ${id}`,
  metadata: {},
  participants,
  ...overrides,
});

const idle = { excludeStatuses: ['archived', 'closed'], excludeTypes: ['support'] };

for (const dialect of dialects) {
  describe(`host-object rooms in bulk on ${dialect}`, () => {
    const t = useTestStore(dialect);

    describe('syncContexts', () => {
      it('creates new contexts with exactly their participants, and reports known ones unchanged', async () => {
        const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
        const rooms = [room('J-1', [{ userId: ana.id, role: 'member' }, { userId: bo.id, role: 'provider' }]), room('J-2', [{ userId: ana.id, role: 'member' }])];
        const first = await t.store.conversations.syncContexts(rooms);
        expect(first.map((r) => r.outcome)).toEqual(['created', 'created']);
        expect(first[0]!.added).toEqual([ana.id, bo.id]);
        expect(first[0]!.conversation).toMatchObject({ type: 'job', title: 'Job J-1', status: 'active', context: { type: 'job', id: 'J-1' } });
        const members = await t.store.conversations.participants(first[0]!.conversation.id);
        expect(members.map((p) => [p.userId, p.role]).sort()).toEqual([[ana.id, 'member'], [bo.id, 'provider']].sort());

        const again = await t.store.conversations.syncContexts(rooms);
        expect(again.map((r) => [r.outcome, r.conversation.id])).toEqual([['unchanged', first[0]!.conversation.id], ['unchanged', first[1]!.conversation.id]]);
      });

      it('adds, brings back, re-roles and removes participants of a known context', async () => {
        const [ana, bo, cy] = [await createUser(t.store), await createUser(t.store), await createUser(t.store)];
        await t.store.conversations.syncContexts([room('J-1', [{ userId: ana.id, role: 'member' }, { userId: bo.id, role: 'member' }])]);
        const [changed] = await t.store.conversations.syncContexts([room('J-1', [{ userId: ana.id, role: 'owner' }, { userId: cy.id, role: 'member' }])]);
        expect(changed).toMatchObject({ outcome: 'updated', added: [cy.id], removed: [bo.id] });
        const members = await t.store.conversations.participants(changed!.conversation.id);
        expect(members.map((p) => [p.userId, p.role]).sort()).toEqual([[ana.id, 'owner'], [cy.id, 'member']].sort());

        const [back] = await t.store.conversations.syncContexts([room('J-1', [{ userId: ana.id, role: 'owner' }, { userId: bo.id, role: 'member' }, { userId: cy.id, role: 'member' }])]);
        expect(back).toMatchObject({ outcome: 'updated', added: [bo.id], removed: [] });
        const [roleOnly] = await t.store.conversations.syncContexts([room('J-1', [{ userId: ana.id, role: 'member' }, { userId: bo.id, role: 'member' }, { userId: cy.id, role: 'member' }])]);
        expect(roleOnly).toMatchObject({ outcome: 'updated', added: [], removed: [] });
      });

      it('applies a context repeated in one batch in order, the later line winning', async () => {
        const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
        const results = await t.store.conversations.syncContexts([room('J-1', [{ userId: ana.id, role: 'member' }]), room('J-1', [{ userId: bo.id, role: 'member' }])]);
        expect(results.map((r) => r.outcome)).toEqual(['created', 'updated']);
        expect(results[1]).toMatchObject({ added: [bo.id], removed: [ana.id], conversation: { id: results[0]!.conversation.id } });
        expect((await t.store.conversations.participants(results[0]!.conversation.id)).map((p) => p.userId)).toEqual([bo.id]);
      });

      it('handles a batch larger than one lookup statement takes', async () => {
        const ana = await createUser(t.store);
        const rooms = Array.from({ length: 450 }, (_, i) => room(`J-${i}`, [{ userId: ana.id, role: 'member' }]));
        expect((await t.store.conversations.syncContexts(rooms)).filter((r) => r.outcome === 'created')).toHaveLength(450);
        expect((await t.store.conversations.syncContexts(rooms)).filter((r) => r.outcome === 'unchanged')).toHaveLength(450);
      });

      it('writes nothing when one room of the batch fails', async () => {
        const ana = await createUser(t.store);
        const failing = t.store.conversations.syncContexts([room('J-1', [{ userId: ana.id, role: 'member' }]), room('J-2', [{ userId: 'nobody', role: 'member' }])]);
        await expect(failing).rejects.toThrow();
        expect(await t.store.conversations.byContext({ type: 'job', id: 'J-1' })).toBeUndefined();
        expect(await t.countRows('participants')).toBe(0);
      });

      it('takes a context another node created as known', async () => {
        const ana = await createUser(t.store);
        const peer = await t.openPeer();
        const theirs = await createConversation(peer, [ana], { type: 'job', context: { type: 'job', id: 'J-1' } });
        const [synced] = await t.store.conversations.syncContexts([room('J-1', [{ userId: ana.id, role: 'member' }])]);
        expect(synced).toMatchObject({ outcome: 'unchanged', conversation: { id: theirs.id } });
      });
    });

    describe('inactive and setStatusIfInactive', () => {
      it('finds rooms idle since the instant, skipping ended statuses and excluded types, in id order', async () => {
        const ana = await createUser(t.store);
        const quiet = await createConversation(t.store, [ana], { type: 'job' });
        const closed = await createConversation(t.store, [ana], { type: 'job', status: 'closed' });
        const support = await createConversation(t.store, [ana], { type: 'support' });
        await nextInstant();
        const before = new Date().toISOString();
        await nextInstant();
        const busy = await createConversation(t.store, [ana], { type: 'job' });
        const found = await t.store.conversations.inactive({ before, ...idle, limit: 10 });
        expect(found.map((c) => c.id)).toEqual([quiet.id]);
        expect([closed.id, support.id, busy.id]).not.toContain(found[0]!.id);
        expect(await t.store.conversations.inactive({ before, ...idle, limit: 10, afterId: quiet.id })).toEqual([]);
      });

      it('archives a room only while it is still idle, keeping its last activity', async () => {
        const ana = await createUser(t.store);
        const [quiet, lively] = [await createConversation(t.store, [ana], { type: 'job' }), await createConversation(t.store, [ana], { type: 'job' })];
        await nextInstant();
        const before = new Date().toISOString();
        await nextInstant();
        await appendMessages(t.store, lively.id, ana.id, 1);
        const archived = await t.store.conversations.setStatusIfInactive(quiet.id, 'archived', { before, ...idle });
        expect(archived).toMatchObject({ id: quiet.id, status: 'archived', lastActivityAt: quiet.lastActivityAt });
        expect(await t.store.conversations.setStatusIfInactive(lively.id, 'archived', { before, ...idle })).toBeUndefined();
        expect(await t.store.conversations.setStatusIfInactive(quiet.id, 'archived', { before, ...idle })).toBeUndefined();
        expect((await t.store.conversations.accessFacts(quiet.id, ana.id))?.conversation.status).toBe('archived');
      });
    });

    describe('participantsOf', () => {
      it('gives the current participants of each conversation asked for, and nothing for the others', async () => {
        const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
        const [both, alone, other] = [await createConversation(t.store, [ana, bo]), await createConversation(t.store, [ana]), await createConversation(t.store, [bo])];
        await t.store.conversations.removeParticipant(both.id, bo.id);
        const found = await t.store.conversations.participantsOf([both.id, alone.id]);
        expect([...found.keys()].sort()).toEqual([both.id, alone.id].sort());
        expect(found.get(both.id)!.map((p) => p.userId)).toEqual([ana.id]);
        expect(found.has(other.id)).toBe(false);
      });
    });

    describe('scan', () => {
      it('walks every conversation in id order, a page at a time', async () => {
        const ana = await createUser(t.store);
        const made = [];
        for (let i = 0; i < 5; i++) made.push((await createConversation(t.store, [ana], { type: 'job' })).id);
        const first = await t.store.conversations.scan({ limit: 3 });
        const rest = await t.store.conversations.scan({ limit: 3, afterId: first.at(-1)!.id });
        expect([...first, ...rest].map((c) => c.id)).toEqual([...made].sort());
      });
    });
  });
}
