import { describe, expect, it } from 'vitest';
import { AccessFactsCache } from '../../src/storage/kysely/access-facts-cache.js';
import type { AccessFacts } from '../../src/storage/store.js';
import { dialects } from '../support/test-stores.js';
import { buildConversation, createConversation, createUser } from './factories.js';
import { useTestStore } from './use-test-store.js';

const UNKNOWN = '00000000-0000-0000-0000-000000000000';

for (const dialect of dialects) {
  describe(`access facts on ${dialect}`, () => {
    const t = useTestStore(dialect);

    it('tells the conversation’s kind and state and the user’s membership, and nothing for an unknown id', async () => {
      const [ana, bo] = [await createUser(t.store), await createUser(t.store)];
      const conversation = await createConversation(t.store, [ana], { type: 'group', createdBy: ana.id });
      expect(await t.store.conversations.accessFacts(conversation.id, ana.id)).toEqual({
        conversation: { id: conversation.id, type: 'group', status: 'active', createdBy: ana.id, slowModeSeconds: 0 },
        participant: { userId: ana.id, role: 'member', leftAt: null },
      });
      expect((await t.store.conversations.accessFacts(conversation.id, bo.id))?.participant).toBeUndefined();
      expect(await t.store.conversations.accessFacts(UNKNOWN, ana.id)).toBeUndefined();
    });

    it('follows every change of membership and state made through the store', async () => {
      const [ana, bo, agent] = [await createUser(t.store), await createUser(t.store), await createUser(t.store)];
      const conversation = await createConversation(t.store, [ana, bo]);
      const facts = () => t.store.conversations.accessFacts(conversation.id, bo.id);
      await facts();
      await t.store.conversations.removeParticipant(conversation.id, bo.id);
      expect((await facts())?.participant?.leftAt).not.toBeNull();
      await t.store.conversations.addParticipant(conversation.id, bo.id, 'observer');
      expect((await facts())?.participant).toMatchObject({ role: 'observer', leftAt: null });
      await t.store.conversations.update(conversation.id, { status: 'closed' });
      expect((await facts())?.conversation.status).toBe('closed');

      const opened = await t.store.cases.open(
        buildConversation({ type: 'support', createdBy: ana.id, participants: [{ userId: ana.id, role: 'member' }] }),
        { queue: 'general_support', priority: 'medium', category: null, subject: 'help', requesterId: ana.id },
      );
      expect((await t.store.conversations.accessFacts(opened.conversation.id, agent.id))?.participant).toBeUndefined();
      const assigned = await t.store.cases.assign(opened.conversation.id, agent.id, 'accepted', { from: ['waiting'], onlyUnassigned: true });
      expect(assigned).toMatchObject({ agentJoined: true, supportCase: { assignedAgentId: agent.id, status: 'active' } });
      expect((await t.store.conversations.accessFacts(opened.conversation.id, agent.id))?.participant).toMatchObject({ role: 'agent', leftAt: null });
      // Assigning someone who already takes part joins nobody.
      const again = await t.store.cases.assign(opened.conversation.id, ana.id, 'reassigned', { from: ['active'], onlyUnassigned: false });
      expect(again?.agentJoined).toBe(false);
    });
  });
}

describe('AccessFactsCache', () => {
  const facts = (status: string): AccessFacts => ({ conversation: { id: 'c', type: 'group', status, createdBy: null, slowModeSeconds: 0 }, participant: undefined });

  it('answers from memory after the first load', async () => {
    const cache = new AccessFactsCache();
    let loads = 0;
    const load = async () => (loads++, facts('active'));
    await cache.get('c', 'u', load);
    expect(await cache.get('c', 'u', load)).toEqual(facts('active'));
    expect(loads).toBe(1);
  });

  it('does not keep a load that was under way when the conversation was forgotten', async () => {
    const cache = new AccessFactsCache();
    let finish!: (value: AccessFacts) => void;
    const racing = cache.get('c', 'u', () => new Promise<AccessFacts>((resolve) => (finish = resolve)));
    cache.forget('c');
    finish(facts('active'));
    await racing;
    expect(await cache.get('c', 'u', async () => facts('closed'))).toEqual(facts('closed'));
  });

  it('does not remember unknown conversations', async () => {
    const cache = new AccessFactsCache();
    await cache.get('c', 'u', async () => undefined);
    expect(await cache.get('c', 'u', async () => facts('active'))).toEqual(facts('active'));
  });
});
