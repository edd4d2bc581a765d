import { describe, expect, it } from 'vitest';
import { dialects } from '../support/test-stores.js';
import { createUser } from './factories.js';
import { useTestStore } from './use-test-store.js';

for (const dialect of dialects) {
  describe(`first-response stamps on ${dialect}`, () => {
    const t = useTestStore(dialect);

    async function openCase() {
      const customer = await createUser(t.store);
      const { conversation } = await t.store.cases.open(
        { type: 'support', context: null, title: 'Help', metadata: {}, createdBy: customer.id, participants: [{ userId: customer.id, role: 'requester' }] },
        { queue: 'general_support', priority: 'medium', category: null, subject: 'Help', requesterId: customer.id },
      );
      return conversation.id;
    }

    it('keeps the earliest response whatever order the stamps arrive in, and repeats change nothing', async () => {
      const id = await openCase();
      await t.store.cases.recordFirstResponse(id, '2030-01-01T10:00:05.000Z');
      await t.store.cases.recordFirstResponse(id, '2030-01-01T10:00:01.000Z');
      await t.store.cases.recordFirstResponse(id, '2030-01-01T10:00:03.000Z');
      await t.store.cases.recordFirstResponse(id, '2030-01-01T10:00:01.000Z');
      expect((await t.store.cases.byConversation(id))?.firstResponseAt).toBe('2030-01-01T10:00:01.000Z');
    });
  });
}
