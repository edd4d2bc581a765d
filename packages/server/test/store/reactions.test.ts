import { describe, expect, it } from 'vitest';
import { dialects } from '../support/test-stores.js';
import { appendMessages, createConversation, createUser } from './factories.js';
import { useTestStore } from './use-test-store.js';

for (const dialect of dialects) {
  describe(`message reactions on ${dialect}`, () => {
    const t = useTestStore(dialect);

    async function message() {
      const [a, b] = [await createUser(t.store), await createUser(t.store)];
      const conversation = await createConversation(t.store, [a, b]);
      const [m] = await appendMessages(t.store, conversation.id, a.id, 1);
      return { a, b, m: m! };
    }

    it('adds a reaction once per user and emoji, and reports whether anything changed', async () => {
      const { a, b, m } = await message();
      expect(await t.store.reactions.add(m.id, a.id, '👍')).toBe(true);
      expect(await t.store.reactions.add(m.id, a.id, '👍')).toBe(false);
      expect(await t.store.reactions.add(m.id, b.id, '👍')).toBe(true);
      expect(await t.store.reactions.add(m.id, b.id, '🎉')).toBe(true);
      const reactions = (await t.store.reactions.forMessages([m.id])).get(m.id)!;
      expect(reactions.map((r) => r.emoji)).toEqual(['👍', '🎉']);
      expect([...reactions[0]!.userIds].sort()).toEqual([a.id, b.id].sort());
      expect(reactions[1]!.userIds).toEqual([b.id]);
    });

    it('removes only the given reaction and reports a missing one', async () => {
      const { a, b, m } = await message();
      await t.store.reactions.add(m.id, a.id, '👍');
      await t.store.reactions.add(m.id, b.id, '👍');
      expect(await t.store.reactions.remove(m.id, a.id, '👍')).toBe(true);
      expect(await t.store.reactions.remove(m.id, a.id, '👍')).toBe(false);
      expect((await t.store.reactions.forMessages([m.id])).get(m.id)).toEqual([{ emoji: '👍', userIds: [b.id] }]);
    });

    it('reads the reactions of a seq range of one conversation, as forMessages does', async () => {
      const [a, b] = [await createUser(t.store), await createUser(t.store)];
      const conversation = await createConversation(t.store, [a, b]);
      const other = await createConversation(t.store, [a, b]);
      const messages = await appendMessages(t.store, conversation.id, a.id, 5);
      const [elsewhere] = await appendMessages(t.store, other.id, a.id, 1);
      for (const m of [...messages, elsewhere!]) await t.store.reactions.add(m.id, b.id, '👍');
      await t.store.reactions.add(messages[2]!.id, a.id, '🎉');
      await t.store.reactions.add(messages[2]!.id, a.id, '👍');

      const range = await t.store.reactions.forSeqRange(conversation.id, messages[1]!.seq, messages[3]!.seq);
      expect([...range.keys()].sort()).toEqual([messages[1]!.id, messages[2]!.id, messages[3]!.id].sort());
      expect(range).toEqual(await t.store.reactions.forMessages(messages.slice(1, 4).map((m) => m.id)));
      expect(range.get(messages[2]!.id)!.map((r) => r.emoji)).toEqual(['👍', '🎉']);
      expect((await t.store.reactions.forSeqRange(conversation.id, messages[3]!.seq, messages[1]!.seq)).size).toBe(0);
    });

    it('leaves messages without reactions out of the map', async () => {
      const { m } = await message();
      expect((await t.store.reactions.forMessages([m.id, 'other'])).size).toBe(0);
      expect((await t.store.reactions.forMessages([])).size).toBe(0);
    });
  });
}
