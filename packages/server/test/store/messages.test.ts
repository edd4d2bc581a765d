import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/store.js';
import { DIALECT_TRAITS, dialects } from '../support/test-stores.js';
import { appendMessages, buildMessage, createConversation, createUser } from './factories.js';
import { expectAppError, range, useTestStore, warmUp } from './use-test-store.js';

const UNKNOWN_CONVERSATION = '00000000-0000-0000-0000-000000000000';

for (const dialect of dialects) {
  describe(`messages on ${dialect}`, () => {
    const t = useTestStore(dialect);

    describe('append', () => {
      it('numbers messages from 1 without gaps and moves the conversation on', async () => {
        const ana = await createUser(t.store);
        const conversation = await createConversation(t.store, [ana]);
        const messages = await appendMessages(t.store, conversation.id, ana.id, 5);
        expect(messages.map((m) => m.seq)).toEqual(range(1, 5));
        const after = (await t.store.conversations.byId(conversation.id))!;
        expect(after.lastSeq).toBe(5);
        expect(after.lastMessageAt).toBe(messages[4]!.createdAt);
        expect(after.lastActivityAt).toBe(messages[4]!.createdAt);
      });

      it('keeps a separate sequence per conversation', async () => {
        const ana = await createUser(t.store);
        const [one, two] = [await createConversation(t.store, [ana]), await createConversation(t.store, [ana])];
        await appendMessages(t.store, one.id, ana.id, 3);
        const [first] = await appendMessages(t.store, two.id, ana.id, 1);
        expect(first?.seq).toBe(1);
      });

      it('stores every field and reads it back by id', async () => {
        const ana = await createUser(t.store);
        const conversation = await createConversation(t.store, [ana]);
        const original = (await t.store.messages.append(buildMessage(conversation.id, ana.id))).message;
        const input = buildMessage(conversation.id, ana.id, {
          kind: 'file',
          content: 'see attached',
          attachments: [{ id: 'f1', name: 'a.pdf', contentType: 'application/pdf', size: 10 }],
          replyTo: original.id,
          metadata: { source: 'test', nested: { n: 1 } },
          clientId: 'client-1',
        });
        const { message, created } = await t.store.messages.append(input);
        expect(created).toBe(true);
        expect(message).toMatchObject({
          conversationId: conversation.id,
          seq: 2,
          senderId: ana.id,
          kind: 'file',
          content: 'see attached',
          attachments: input.attachments,
          replyTo: original.id,
          metadata: input.metadata,
          clientId: 'client-1',
          editedAt: null,
          deletedAt: null,
          hidden: false,
        });
        expect(await t.store.messages.byId(message.id)).toEqual(message);
        expect(await t.store.messages.byId('no-such-message')).toBeUndefined();
      });

      it('accepts a system message without a sender', async () => {
        const conversation = await createConversation(t.store, []);
        const { message } = await t.store.messages.append(buildMessage(conversation.id, null, { kind: 'system' }));
        expect(message).toMatchObject({ seq: 1, senderId: null, attachments: [], metadata: {}, clientId: null, replyTo: null });
      });

      it('moves the sender’s read and delivered pointers to their own message, and no one else’s', async () => {
        const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
        const conversation = await createConversation(t.store, [ana, bo]);
        await appendMessages(t.store, conversation.id, ana.id, 3);
        expect(await t.store.conversations.participant(conversation.id, ana.id)).toMatchObject({ lastReadSeq: 3, lastDeliveredSeq: 3 });
        expect(await t.store.conversations.participant(conversation.id, bo.id)).toMatchObject({ lastReadSeq: 0, lastDeliveredSeq: 0 });
      });

      it('refuses an unknown conversation as conversation_not_found and writes nothing', async () => {
        const ana = await createUser(t.store);
        await expectAppError(t.store.messages.append(buildMessage(UNKNOWN_CONVERSATION, ana.id, { clientId: 'c-1' })), 'conversation_not_found');
        expect(await t.countRows('messages')).toBe(0);
        // The client id was not consumed either.
        const conversation = await createConversation(t.store, [ana]);
        expect((await t.store.messages.append(buildMessage(conversation.id, ana.id, { clientId: 'c-1' }))).created).toBe(true);
      });
    });

    describe('append under concurrency', () => {
      it('gives 50 concurrent appends to one conversation exactly the seqs 1..50', async () => {
        const ana = await createUser(t.store);
        const conversation = await createConversation(t.store, [ana]);
        await warmUp(t.store);
        const results = await Promise.all(range(1, 50).map(() => t.store.messages.append(buildMessage(conversation.id, ana.id))));
        expect(results.every((r) => r.created)).toBe(true);
        expect(results.map((r) => r.message.seq).sort((a, b) => a - b)).toEqual(range(1, 50));
        await expectStoredSeqs(t.store, conversation.id, 50);
        expect(await t.store.conversations.participant(conversation.id, ana.id)).toMatchObject({ lastReadSeq: 50 });
      });

      it('commits the rest of a concurrent group when one append in it fails', async () => {
        const ana = await createUser(t.store);
        const [one, two] = [await createConversation(t.store, [ana]), await createConversation(t.store, [ana])];
        await warmUp(t.store);
        // Submitted in one turn, so they travel in one group; the unknown conversation fails alone.
        const settled = await Promise.allSettled(
          range(1, 12).map((i) =>
            t.store.messages.append(buildMessage(i === 6 ? UNKNOWN_CONVERSATION : i % 2 === 0 ? one.id : two.id, ana.id, { clientId: `group-${i}` })),
          ),
        );
        expect(settled.map((s) => s.status)).toEqual(range(1, 12).map((i) => (i === 6 ? 'rejected' : 'fulfilled')));
        await expectAppError(Promise.reject((settled[5] as PromiseRejectedResult).reason), 'conversation_not_found');
        await expectStoredSeqs(t.store, one.id, 5);
        await expectStoredSeqs(t.store, two.id, 6);
        expect(await t.countRows('messages')).toBe(11);
      });

      it.runIf(DIALECT_TRAITS[dialect].multiNode)('gives concurrent appends through two nodes exactly the seqs 1..N', async () => {
        const peer = await t.openPeer();
        const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
        const conversation = await createConversation(t.store, [ana, bo]);
        await Promise.all([warmUp(t.store), warmUp(peer)]);
        const appends = range(1, 60).map((i) =>
          i % 2 === 0 ? t.store.messages.append(buildMessage(conversation.id, ana.id)) : peer.messages.append(buildMessage(conversation.id, bo.id)),
        );
        const results = await Promise.all(appends);
        expect(results.map((r) => r.message.seq).sort((a, b) => a - b)).toEqual(range(1, 60));
        await expectStoredSeqs(peer, conversation.id, 60);
      });
    });

    describe('client id idempotency', () => {
      it('returns the original for a repeated (sender, client id) without consuming a seq', async () => {
        const ana = await createUser(t.store);
        const conversation = await createConversation(t.store, [ana]);
        const first = await t.store.messages.append(buildMessage(conversation.id, ana.id, { clientId: 'retry-me', content: 'first' }));
        const again = await t.store.messages.append(buildMessage(conversation.id, ana.id, { clientId: 'retry-me', content: 'second' }));
        expect(first.created).toBe(true);
        expect(again).toEqual({ message: first.message, created: false });
        expect((await t.store.conversations.byId(conversation.id))?.lastSeq).toBe(1);
        const next = await t.store.messages.append(buildMessage(conversation.id, ana.id, { clientId: 'another' }));
        expect(next.message.seq).toBe(2);
      });

      it('treats the same client id from two senders as two messages', async () => {
        const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
        const conversation = await createConversation(t.store, [ana, bo]);
        const fromAna = await t.store.messages.append(buildMessage(conversation.id, ana.id, { clientId: 'shared' }));
        const fromBo = await t.store.messages.append(buildMessage(conversation.id, bo.id, { clientId: 'shared' }));
        expect([fromAna.created, fromBo.created]).toEqual([true, true]);
        expect(fromBo.message.seq).toBe(2);
      });

      it('treats the same client id in two conversations as two messages, each stored in its own', async () => {
        const ana = await createUser(t.store);
        const [one, two] = [await createConversation(t.store, [ana]), await createConversation(t.store, [ana])];
        const inOne = await t.store.messages.append(buildMessage(one.id, ana.id, { clientId: 'reused', content: 'to one' }));
        const inTwo = await t.store.messages.append(buildMessage(two.id, ana.id, { clientId: 'reused', content: 'to two' }));
        expect([inOne.created, inTwo.created]).toEqual([true, true]);
        expect(inTwo.message).toMatchObject({ conversationId: two.id, seq: 1, content: 'to two' });
        expect((await t.store.messages.page({ conversationId: two.id, limit: 10 })).messages.map((m) => m.content)).toEqual(['to two']);
        // A retry is still a retry within its own conversation.
        expect(await t.store.messages.append(buildMessage(two.id, ana.id, { clientId: 'reused', content: 'again' }))).toEqual({ message: inTwo.message, created: false });
      });

      it('keeps one message per conversation when concurrent appends reuse a client id across two', async () => {
        const ana = await createUser(t.store);
        const [one, two] = [await createConversation(t.store, [ana]), await createConversation(t.store, [ana])];
        const results = await Promise.all(range(1, 10).map((i) => t.store.messages.append(buildMessage(i % 2 === 0 ? one.id : two.id, ana.id, { clientId: 'raced', content: `try ${i}` }))));
        expect(results.filter((r) => r.created).map((r) => r.message.conversationId).sort()).toEqual([one.id, two.id].sort());
        for (const c of [one, two]) expect((await t.store.conversations.byId(c.id))?.lastSeq).toBe(1);
      });

      it('creates exactly one message when 20 concurrent appends share a client id', async () => {
        const ana = await createUser(t.store);
        const conversation = await createConversation(t.store, [ana]);
        await appendMessages(t.store, conversation.id, ana.id, 1);
        await warmUp(t.store);
        const results = await Promise.all(
          range(1, 20).map((i) => t.store.messages.append(buildMessage(conversation.id, ana.id, { clientId: 'double-tap', content: `try ${i}` }))),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
        expect(results.every((r) => r.message.seq === 2)).toBe(true);
        expect((await t.store.conversations.byId(conversation.id))?.lastSeq).toBe(2);
        expect(await t.countRows('messages')).toBe(2);
      });

      it.runIf(DIALECT_TRAITS[dialect].multiNode)('creates exactly one message when two nodes race with one client id', async () => {
        const peer = await t.openPeer();
        const ana = await createUser(t.store);
        const conversation = await createConversation(t.store, [ana]);
        await Promise.all([warmUp(t.store), warmUp(peer)]);
        const results = await Promise.all(
          range(1, 20).map((i) => (i % 2 === 0 ? t.store : peer).messages.append(buildMessage(conversation.id, ana.id, { clientId: 'double-tap' }))),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
        expect((await t.store.conversations.byId(conversation.id))?.lastSeq).toBe(1);
      });
    });

    describe('page', () => {
      async function conversationWithTen(): Promise<string> {
        const ana = await createUser(t.store);
        const conversation = await createConversation(t.store, [ana]);
        await appendMessages(t.store, conversation.id, ana.id, 10);
        return conversation.id;
      }
      const seqsOf = (page: { messages: readonly { seq: number }[]; hasMore: boolean }) => ({ seqs: page.messages.map((m) => m.seq), hasMore: page.hasMore });

      it('returns the newest messages, oldest first, by default', async () => {
        const conversationId = await conversationWithTen();
        expect(seqsOf(await t.store.messages.page({ conversationId, limit: 3 }))).toEqual({ seqs: [8, 9, 10], hasMore: true });
        expect(seqsOf(await t.store.messages.page({ conversationId, limit: 10 }))).toEqual({ seqs: range(1, 10), hasMore: false });
        expect(seqsOf(await t.store.messages.page({ conversationId, limit: 50 }))).toEqual({ seqs: range(1, 10), hasMore: false });
      });

      it('pages backwards with beforeSeq', async () => {
        const conversationId = await conversationWithTen();
        expect(seqsOf(await t.store.messages.page({ conversationId, limit: 3, beforeSeq: 8 }))).toEqual({ seqs: [5, 6, 7], hasMore: true });
        expect(seqsOf(await t.store.messages.page({ conversationId, limit: 3, beforeSeq: 4 }))).toEqual({ seqs: [1, 2, 3], hasMore: false });
        expect(seqsOf(await t.store.messages.page({ conversationId, limit: 5, beforeSeq: 3 }))).toEqual({ seqs: [1, 2], hasMore: false });
        expect(seqsOf(await t.store.messages.page({ conversationId, limit: 5, beforeSeq: 1 }))).toEqual({ seqs: [], hasMore: false });
      });

      it('pages forwards with afterSeq', async () => {
        const conversationId = await conversationWithTen();
        expect(seqsOf(await t.store.messages.page({ conversationId, limit: 3, afterSeq: 2 }))).toEqual({ seqs: [3, 4, 5], hasMore: true });
        expect(seqsOf(await t.store.messages.page({ conversationId, limit: 3, afterSeq: 7 }))).toEqual({ seqs: [8, 9, 10], hasMore: false });
        expect(seqsOf(await t.store.messages.page({ conversationId, limit: 3, afterSeq: 0 }))).toEqual({ seqs: [1, 2, 3], hasMore: true });
        expect(seqsOf(await t.store.messages.page({ conversationId, limit: 3, afterSeq: 10 }))).toEqual({ seqs: [], hasMore: false });
      });

      it('bounds a forward page by beforeSeq too', async () => {
        const conversationId = await conversationWithTen();
        expect(seqsOf(await t.store.messages.page({ conversationId, limit: 10, afterSeq: 2, beforeSeq: 6 }))).toEqual({ seqs: [3, 4, 5], hasMore: false });
      });

      it('never mixes in another conversation’s messages', async () => {
        const conversationId = await conversationWithTen();
        const other = await createConversation(t.store, []);
        await appendMessages(t.store, other.id, null, 2);
        const page = await t.store.messages.page({ conversationId: other.id, limit: 10 });
        expect(page.messages.map((m) => [m.conversationId, m.seq])).toEqual([[other.id, 1], [other.id, 2]]);
        expect((await t.store.messages.page({ conversationId, limit: 20 })).messages).toHaveLength(10);
      });
    });

    describe('headersAfter', () => {
      it('gives the messages after a seq in order, each as its page would show it without the body, and says when more follow', async () => {
        const [ana, ben] = [await createUser(t.store), await createUser(t.store)];
        const conversation = await createConversation(t.store, [ana, ben]);
        const other = await createConversation(t.store, [ana, ben]);
        await appendMessages(t.store, other.id, ana.id, 3);
        await appendMessages(t.store, conversation.id, ana.id, 2);
        await t.store.messages.append(buildMessage(conversation.id, null, { kind: 'system' }));
        await t.store.messages.append(buildMessage(conversation.id, ben.id, { shadowed: true }));
        const [hidden, deleted] = await appendMessages(t.store, conversation.id, ben.id, 2);
        await t.store.messages.update(hidden!.id, { hidden: true });
        await t.store.messages.update(deleted!.id, { deletedAt: '2030-01-02T00:00:00.000Z' });
        const { messages: page } = await t.store.messages.page({ conversationId: conversation.id, afterSeq: 1, limit: 10 });
        const header = ({ id, seq, senderId, kind, createdAt, deletedAt, hidden: isHidden, shadowed }: (typeof page)[number]) => ({ id, seq, senderId, kind, createdAt, deletedAt, hidden: isHidden, shadowed });

        expect(await t.store.messages.headersAfter(conversation.id, 1, 10)).toEqual({ headers: page.map(header), hasMore: false });
        expect(page.map((m) => m.seq)).toEqual(range(2, 6));
        expect(page.map((m) => [m.kind, m.senderId, m.shadowed, m.hidden, m.deletedAt !== null])).toEqual([
          ['text', ana.id, false, false, false],
          ['system', null, false, false, false],
          ['text', ben.id, true, false, false],
          ['text', ben.id, false, true, false],
          ['text', ben.id, false, false, true],
        ]);
        const cut = await t.store.messages.headersAfter(conversation.id, 2, 2);
        expect({ seqs: cut.headers.map((h) => h.seq), hasMore: cut.hasMore }).toEqual({ seqs: [3, 4], hasMore: true });
        expect(await t.store.messages.headersAfter(conversation.id, 6, 10)).toEqual({ headers: [], hasMore: false });
      });
    });

    describe('window', () => {
      it('takes a newest-first window by offset and returns it oldest first', async () => {
        const conversation = await createConversation(t.store, []);
        await appendMessages(t.store, conversation.id, null, 10);
        const seqs = async (skip: number, limit: number) => (await t.store.messages.window(conversation.id, skip, limit)).map((m) => m.seq);
        expect(await seqs(0, 3)).toEqual([8, 9, 10]);
        expect(await seqs(3, 3)).toEqual([5, 6, 7]);
        expect(await seqs(8, 5)).toEqual([1, 2]);
        expect(await seqs(10, 5)).toEqual([]);
      });
    });

    describe('update', () => {
      it('edits, hides and deletes a message without touching the rest', async () => {
        const conversation = await createConversation(t.store, []);
        const { message } = await t.store.messages.append(buildMessage(conversation.id, null, { metadata: { a: 1 } }));
        const edited = await t.store.messages.update(message.id, { content: 'edited', editedAt: '2030-01-01T00:00:00.000Z' });
        expect(edited).toEqual({ ...message, content: 'edited', editedAt: '2030-01-01T00:00:00.000Z' });
        const hidden = await t.store.messages.update(message.id, { hidden: true, deletedAt: '2030-01-02T00:00:00.000Z', metadata: { b: 2 } });
        expect(hidden).toEqual({ ...edited, hidden: true, deletedAt: '2030-01-02T00:00:00.000Z', metadata: { b: 2 } });
        expect((await t.store.messages.update(message.id, { hidden: false })).hidden).toBe(false);
      });

      it('refuses an unknown message as message_not_found', async () => {
        await expectAppError(t.store.messages.update('no-such-message', { content: 'x' }), 'message_not_found');
      });
    });
  });
}

/** Reads every stored message of the conversation and checks the seqs are exactly 1..count. */
async function expectStoredSeqs(store: Store, conversationId: string, count: number): Promise<void> {
  const page = await store.messages.page({ conversationId, limit: count + 10 });
  expect(page.messages.map((m) => m.seq)).toEqual(range(1, count));
  expect((await store.conversations.byId(conversationId))?.lastSeq).toBe(count);
}
