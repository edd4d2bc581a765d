import { describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
import { dialects } from '../support/test-stores.js';
import { appendMessages, buildConversation, createConversation, createUser } from './factories.js';
import { expectAppError, nextInstant, useTestStore } from './use-test-store.js';

const delay = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

for (const dialect of dialects) {
  describe(`conversations on ${dialect}`, () => {
    const t = useTestStore(dialect);

    describe('create', () => {
      it('stores the conversation with its participants and sensible defaults', async () => {
        const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
        const conversation = await t.store.conversations.create(
          buildConversation({
            type: 'support',
            context: { type: 'order', id: '42' },
            title: 'Order 42',
            metadata: { priority: 'high' },
            createdBy: ana.id,
            participants: [
              { userId: ana.id, role: 'customer' },
              { userId: bo.id, role: 'agent' },
            ],
          }),
        );
        expect(conversation).toMatchObject({
          type: 'support',
          context: { type: 'order', id: '42' },
          title: 'Order 42',
          status: 'active',
          metadata: { priority: 'high' },
          createdBy: ana.id,
          lastSeq: 0,
          lastMessageAt: null,
        });
        expect(await t.store.conversations.byId(conversation.id)).toEqual(conversation);
        const participants = await t.store.conversations.participants(conversation.id);
        expect(participants.map((p) => [p.userId, p.role, p.lastReadSeq, p.leftAt]).sort()).toEqual(
          [
            [ana.id, 'customer', 0, null],
            [bo.id, 'agent', 0, null],
          ].sort(),
        );
      });

      it('refuses a second conversation for a taken context, as context_taken, and leaves no rows behind', async () => {
        const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
        const context = { type: 'order', id: '7' };
        const first = await createConversation(t.store, [ana], { context });
        await expectAppError(createConversation(t.store, [bo], { context, title: 'Duplicate' }), 'context_taken');
        expect(await t.store.conversations.byContext(context)).toEqual(first);
        expect(await t.store.conversations.listForUser({ userId: bo.id, limit: 10 })).toEqual([]);
        expect(await t.countRows('conversations')).toBe(1);
        expect(await t.countRows('participants')).toBe(1);
      });

      it('rolls the conversation back when its participants cannot be stored', async () => {
        const ana = await createUser(t.store);
        const context = { type: 'order', id: '8' };
        await expect(
          t.store.conversations.create(buildConversation({ context, participants: [{ userId: ana.id, role: 'member' }, { userId: 'no-such-user', role: 'member' }] })),
        ).rejects.toThrow();
        expect(await t.store.conversations.byContext(context)).toBeUndefined();
        expect(await t.countRows('conversations')).toBe(0);
        expect(await t.countRows('participants')).toBe(0);
      });

      it('does not report a failure unrelated to the context as context_taken', async () => {
        const ana = await createUser(t.store);
        const duplicated = buildConversation({ context: { type: 'order', id: '9' }, participants: [{ userId: ana.id, role: 'a' }, { userId: ana.id, role: 'b' }] });
        const error = await t.store.conversations.create(duplicated).then(() => undefined, (reason: unknown) => reason);
        expect(error).toBeDefined();
        expect(error).not.toMatchObject({ code: 'context_taken' });
        expect(await t.countRows('conversations')).toBe(0);
      });

      it('allows any number of conversations without a context', async () => {
        const ana = await createUser(t.store);
        await createConversation(t.store, [ana]);
        await createConversation(t.store, [ana]);
        expect(await t.store.conversations.listForUser({ userId: ana.id, limit: 10 })).toHaveLength(2);
      });
    });

    describe('byContext', () => {
      it('finds the conversation by context type and id together', async () => {
        const created = await createConversation(t.store, [], { context: { type: 'order', id: '1' } });
        await createConversation(t.store, [], { context: { type: 'ticket', id: '2' } });
        expect(await t.store.conversations.byContext({ type: 'order', id: '1' })).toEqual(created);
        expect(await t.store.conversations.byContext({ type: 'order', id: '2' })).toBeUndefined();
        expect(await t.store.conversations.byContext({ type: 'ticket', id: '1' })).toBeUndefined();
      });

      it('returns undefined for an unknown id', async () => {
        expect(await t.store.conversations.byId('00000000-0000-0000-0000-000000000000')).toBeUndefined();
      });
    });

    describe('listForUser', () => {
      it('orders conversations by last activity, newest first, with unread counts and the last message', async () => {
        const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
        const older = await createConversation(t.store, [ana, bo], { title: 'older' });
        await nextInstant();
        const newer = await createConversation(t.store, [ana, bo], { title: 'newer' });
        await nextInstant();
        // A message revives the older conversation: it moves to the top.
        const [, last] = await appendMessages(t.store, older.id, bo.id, 2);

        const forAna = await t.store.conversations.listForUser({ userId: ana.id, limit: 10 });
        expect(forAna.map((s) => s.conversation.title)).toEqual(['older', 'newer']);
        expect(forAna[0]).toMatchObject({ unreadCount: 2, lastMessage: last, participant: { userId: ana.id, lastReadSeq: 0 } });
        expect(forAna[0]?.conversation.lastSeq).toBe(2);
        expect(forAna[1]).toMatchObject({ unreadCount: 0, lastMessage: null, conversation: { id: newer.id } });

        const forBo = await t.store.conversations.listForUser({ userId: bo.id, limit: 10 });
        expect(forBo[0]).toMatchObject({ unreadCount: 0, lastMessage: last });
      });

      it('followedBy gives the same conversations in the same order, as ids and last seq', async () => {
        const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
        const left = await createConversation(t.store, [ana, bo], { title: 'left' });
        await nextInstant();
        const older = await createConversation(t.store, [ana, bo], { title: 'older' });
        await nextInstant();
        const newer = await createConversation(t.store, [ana], { title: 'newer' });
        await nextInstant();
        await appendMessages(t.store, older.id, bo.id, 3);
        await t.store.conversations.removeParticipant(left.id, ana.id);

        const listed = await t.store.conversations.listForUser({ userId: ana.id, limit: 10 });
        const followed = await t.store.conversations.followedBy(ana.id, 10);
        expect(followed).toEqual(listed.map((s) => ({ id: s.conversation.id, lastSeq: s.conversation.lastSeq })));
        expect(followed).toEqual([{ id: older.id, lastSeq: 3 }, { id: newer.id, lastSeq: 0 }]);
        expect(await t.store.conversations.followedBy(ana.id, 1)).toEqual([{ id: older.id, lastSeq: 3 }]);
        expect(await t.store.conversations.followedBy('nobody', 10)).toEqual([]);
      });

      it('pages with limit and a before cursor on last activity', async () => {
        const ana = await createUser(t.store);
        const titles = ['a', 'b', 'c', 'd'];
        for (const title of titles) {
          await createConversation(t.store, [ana], { title });
          await nextInstant();
        }
        const first = await t.store.conversations.listForUser({ userId: ana.id, limit: 2 });
        expect(first.map((s) => s.conversation.title)).toEqual(['d', 'c']);
        const second = await t.store.conversations.listForUser({ userId: ana.id, limit: 2, before: first[1]!.conversation.lastActivityAt });
        expect(second.map((s) => s.conversation.title)).toEqual(['b', 'a']);
      });

      it('filters by status and type', async () => {
        const ana = await createUser(t.store);
        await createConversation(t.store, [ana], { title: 'open support', type: 'support' });
        await createConversation(t.store, [ana], { title: 'closed support', type: 'support', status: 'closed' });
        await createConversation(t.store, [ana], { title: 'open direct', type: 'direct' });
        const titles = async (query: { status?: string; type?: string }) =>
          (await t.store.conversations.listForUser({ userId: ana.id, limit: 10, ...query })).map((s) => s.conversation.title).sort();
        expect(await titles({ status: 'active' })).toEqual(['open direct', 'open support']);
        expect(await titles({ type: 'support' })).toEqual(['closed support', 'open support']);
        expect(await titles({ status: 'closed', type: 'support' })).toEqual(['closed support']);
      });

      it('leaves out conversations the user has left or never joined', async () => {
        const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
        const left = await createConversation(t.store, [ana, bo], { title: 'left' });
        await createConversation(t.store, [ana, bo], { title: 'stayed' });
        await createConversation(t.store, [bo], { title: 'never joined' });
        await t.store.conversations.removeParticipant(left.id, ana.id);
        const forAna = await t.store.conversations.listForUser({ userId: ana.id, limit: 10 });
        expect(forAna.map((s) => s.conversation.title)).toEqual(['stayed']);
      });
    });

    describe('summaryFor', () => {
      it('summarises one conversation for a participant', async () => {
        const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
        const conversation = await createConversation(t.store, [ana, bo]);
        const [, , last] = await appendMessages(t.store, conversation.id, bo.id, 3);
        await t.store.conversations.markRead(conversation.id, ana.id, 1);
        const summary = await t.store.conversations.summaryFor(conversation.id, ana.id);
        expect(summary).toMatchObject({ unreadCount: 2, lastMessage: last, participant: { userId: ana.id, lastReadSeq: 1 } });
        expect(summary?.conversation.id).toBe(conversation.id);
      });

      it('returns undefined for someone who is not, or no longer, a participant', async () => {
        const [ana, bo, cy] = [await createUser(t.store), await createUser(t.store), await createUser(t.store)];
        const conversation = await createConversation(t.store, [ana, bo]);
        await t.store.conversations.removeParticipant(conversation.id, bo.id);
        expect(await t.store.conversations.summaryFor(conversation.id, bo.id)).toBeUndefined();
        expect(await t.store.conversations.summaryFor(conversation.id, cy.id)).toBeUndefined();
        expect(await t.store.conversations.summaryFor('00000000-0000-0000-0000-000000000000', ana.id)).toBeUndefined();
      });
    });

    describe('read isolation', () => {
      it('never shows a read another transaction’s uncommitted writes, and shows them once committed', async () => {
        const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
        const conversation = await createConversation(t.store, [ana]);
        const { db } = (t.store as KyselyStore).adapter;
        const seen: unknown[] = [];
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('participants').values({ conversation_id: conversation.id, user_id: bo.id, role: 'member', last_read_seq: 0, last_delivered_seq: 0, muted: 0, joined_at: new Date().toISOString(), left_at: null }).execute();
          await trx.updateTable('conversations').set({ title: 'uncommitted' }).where('id', '=', conversation.id).execute();
          // Reads from outside, racing the open transaction: the send path's access check.
          seen.push(await Promise.race([t.store.conversations.participant(conversation.id, bo.id), delay(50, 'waited')]));
          seen.push(await Promise.race([t.store.conversations.byId(conversation.id).then((c) => c?.title), delay(50, 'waited')]));
        });
        // Either answered from committed data or waited for the commit; never the uncommitted rows.
        expect(seen[0] === undefined || seen[0] === 'waited').toBe(true);
        expect(seen[1] === null || seen[1] === 'waited').toBe(true);
        expect(await t.store.conversations.participant(conversation.id, bo.id)).toMatchObject({ userId: bo.id, leftAt: null });
        expect((await t.store.conversations.byId(conversation.id))?.title).toBe('uncommitted');
      });
    });

    describe('participants', () => {
      it('adds a participant with a role', async () => {
        const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
        const conversation = await createConversation(t.store, [ana]);
        const added = await t.store.conversations.addParticipant(conversation.id, bo.id, 'agent');
        expect(added).toMatchObject({ conversationId: conversation.id, userId: bo.id, role: 'agent', leftAt: null, lastReadSeq: 0 });
        expect((await t.store.conversations.participants(conversation.id)).map((p) => p.userId).sort()).toEqual([ana.id, bo.id].sort());
      });

      it('removes a current participant once, keeping the former row', async () => {
        const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
        const conversation = await createConversation(t.store, [ana, bo]);
        expect(await t.store.conversations.removeParticipant(conversation.id, bo.id)).toBe(true);
        expect(await t.store.conversations.removeParticipant(conversation.id, bo.id)).toBe(false);
        expect(await t.store.conversations.removeParticipant(conversation.id, 'never-there')).toBe(false);
        expect((await t.store.conversations.participants(conversation.id)).map((p) => p.userId)).toEqual([ana.id]);
        expect((await t.store.conversations.participant(conversation.id, bo.id))?.leftAt).not.toBeNull();
      });

      it('brings a former participant back with the new role and their read pointer', async () => {
        const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
        const conversation = await createConversation(t.store, [ana, bo]);
        await appendMessages(t.store, conversation.id, bo.id, 2);
        await t.store.conversations.removeParticipant(conversation.id, bo.id);
        const back = await t.store.conversations.addParticipant(conversation.id, bo.id, 'observer');
        expect(back).toMatchObject({ userId: bo.id, role: 'observer', leftAt: null, lastReadSeq: 2 });
        expect((await t.store.conversations.participants(conversation.id)).map((p) => p.userId).sort()).toEqual([ana.id, bo.id].sort());
      });

      it('returns undefined for someone who never took part', async () => {
        const conversation = await createConversation(t.store, []);
        expect(await t.store.conversations.participant(conversation.id, 'nobody')).toBeUndefined();
      });
    });

    describe('update', () => {
      it('changes the given fields, keeps the others and counts as activity', async () => {
        const conversation = await createConversation(t.store, [], { title: 'before', metadata: { a: 1 } });
        await nextInstant();
        const updated = await t.store.conversations.update(conversation.id, { status: 'closed' });
        expect(updated).toMatchObject({ title: 'before', status: 'closed', metadata: { a: 1 } });
        expect(updated.lastActivityAt > conversation.lastActivityAt).toBe(true);
        const retitled = await t.store.conversations.update(conversation.id, { title: null, metadata: { b: 2 } });
        expect(retitled).toMatchObject({ title: null, status: 'closed', metadata: { b: 2 } });
      });

      it('refuses an unknown conversation as conversation_not_found', async () => {
        await expectAppError(t.store.conversations.update('00000000-0000-0000-0000-000000000000', { title: 'x' }), 'conversation_not_found');
      });
    });

  });
}

for (const dialect of dialects) {
  describe(`creating a conversation with its first message on ${dialect}`, () => {
    const t = useTestStore(dialect);

    it('writes the conversation, participants and message seq 1 together', async () => {
      const [a, b] = [await createUser(t.store), await createUser(t.store)];
      const { conversation, message } = await t.store.conversations.createWithMessage(
        { ...buildConversation(), participants: [{ userId: a.id, role: 'requester' }, { userId: b.id, role: 'staff' }] },
        { senderId: a.id, kind: 'text', content: 'help' },
      );
      expect(message).toMatchObject({ conversationId: conversation.id, seq: 1, content: 'help' });
      expect((await t.store.conversations.byId(conversation.id))!.lastSeq).toBe(1);
      expect((await t.store.conversations.participant(conversation.id, a.id))!.lastReadSeq).toBe(1);
    });

    it('leaves nothing behind when the message cannot be written', async () => {
      const a = await createUser(t.store);
      const before = await t.countRows('conversations');
      await expect(
        t.store.conversations.createWithMessage({ ...buildConversation(), participants: [{ userId: a.id, role: 'requester' }] }, { senderId: a.id, kind: 'text', content: null as unknown as string }),
      ).rejects.toThrow();
      expect(await t.countRows('conversations')).toBe(before);
      expect(await t.countRows('participants')).toBe(0);
    });
  });
}

for (const dialect of dialects) {
  describe(`contacts on ${dialect}`, () => {
    const t = useTestStore(dialect);

    it('lists everyone sharing a current conversation once, leaving out the user and people who left', async () => {
      const [me, a, b, gone, stranger] = [await createUser(t.store), await createUser(t.store), await createUser(t.store), await createUser(t.store), await createUser(t.store)];
      const first = await createConversation(t.store, [me, a, gone]);
      await createConversation(t.store, [me, a, b]);
      await createConversation(t.store, [a, stranger]);
      await t.store.conversations.removeParticipant(first.id, gone.id);
      expect((await t.store.conversations.contactsOf(me.id)).sort()).toEqual([a.id, b.id].sort());
      await t.store.conversations.removeParticipant(first.id, me.id);
      expect((await t.store.conversations.contactsOf(me.id)).sort()).toEqual([a.id, b.id].sort());
      expect(await t.store.conversations.contactsOf(stranger.id)).toEqual([a.id]);
    });
  });
}
