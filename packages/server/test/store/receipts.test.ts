import { describe, expect, it } from 'vitest';
import type { User } from '../../src/core/model.js';
import { dialects } from '../support/test-stores.js';
import { appendMessages, createConversation, createUser } from './factories.js';
import { expectAppError, useTestStore } from './use-test-store.js';

for (const dialect of dialects) {
  describe(`read and delivery receipts on ${dialect}`, () => {
    const t = useTestStore(dialect);

    /** Ana reads what Bo wrote: a conversation of both with `count` messages from Bo. */
    async function conversationFromBo(count: number): Promise<{ conversationId: string; ana: User }> {
      const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
      const conversation = await createConversation(t.store, [ana, bo]);
      await appendMessages(t.store, conversation.id, bo.id, count);
      return { conversationId: conversation.id, ana };
    }

    describe('markRead', () => {
      it('moves the read pointer and the delivered pointer with it', async () => {
        const { conversationId, ana } = await conversationFromBo(5);
        const participant = await t.store.conversations.markRead(conversationId, ana.id, 3);
        expect(participant).toMatchObject({ userId: ana.id, lastReadSeq: 3, lastDeliveredSeq: 3 });
        expect(await t.store.conversations.participant(conversationId, ana.id)).toEqual(participant);
        expect((await t.store.conversations.summaryFor(conversationId, ana.id))?.unreadCount).toBe(2);
      });

      it('never moves the read pointer backwards', async () => {
        const { conversationId, ana } = await conversationFromBo(5);
        await t.store.conversations.markRead(conversationId, ana.id, 4);
        expect(await t.store.conversations.markRead(conversationId, ana.id, 2)).toMatchObject({ lastReadSeq: 4, lastDeliveredSeq: 4 });
      });

      it('never moves past the last seq of the conversation', async () => {
        const { conversationId, ana } = await conversationFromBo(5);
        expect(await t.store.conversations.markRead(conversationId, ana.id, 99)).toMatchObject({ lastReadSeq: 5, lastDeliveredSeq: 5 });
        expect((await t.store.conversations.summaryFor(conversationId, ana.id))?.unreadCount).toBe(0);
      });

      it('leaves a delivered pointer that is already further ahead where it is', async () => {
        const { conversationId, ana } = await conversationFromBo(5);
        await t.store.conversations.markDelivered(conversationId, ana.id, 5);
        expect(await t.store.conversations.markRead(conversationId, ana.id, 2)).toMatchObject({ lastReadSeq: 2, lastDeliveredSeq: 5 });
      });

      it('refuses an unknown conversation as conversation_not_found', async () => {
        const ana = await createUser(t.store);
        await expectAppError(t.store.conversations.markRead('00000000-0000-0000-0000-000000000000', ana.id, 1), 'conversation_not_found');
      });

      it('refuses someone who never took part as not_participant', async () => {
        const { conversationId } = await conversationFromBo(1);
        const stranger = await createUser(t.store);
        await expectAppError(t.store.conversations.markRead(conversationId, stranger.id, 1), 'not_participant');
      });
    });

    describe('markDelivered', () => {
      it('moves only the delivered pointer', async () => {
        const { conversationId, ana } = await conversationFromBo(5);
        expect(await t.store.conversations.markDelivered(conversationId, ana.id, 4)).toMatchObject({ lastReadSeq: 0, lastDeliveredSeq: 4 });
      });

      it('never moves the delivered pointer backwards', async () => {
        const { conversationId, ana } = await conversationFromBo(5);
        await t.store.conversations.markDelivered(conversationId, ana.id, 4);
        expect(await t.store.conversations.markDelivered(conversationId, ana.id, 1)).toMatchObject({ lastDeliveredSeq: 4 });
      });

      it('never moves past the last seq of the conversation', async () => {
        const { conversationId, ana } = await conversationFromBo(3);
        expect(await t.store.conversations.markDelivered(conversationId, ana.id, 1_000)).toMatchObject({ lastDeliveredSeq: 3 });
      });

      it('lets concurrent receipts settle on the furthest one', async () => {
        const { conversationId, ana } = await conversationFromBo(10);
        await Promise.all([7, 3, 10, 1, 5].map((seq) => t.store.conversations.markRead(conversationId, ana.id, seq)));
        expect(await t.store.conversations.participant(conversationId, ana.id)).toMatchObject({ lastReadSeq: 10, lastDeliveredSeq: 10 });
      });
    });
  });
}
