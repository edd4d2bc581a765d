import { describe, expect, it } from 'vitest';
import { dialects } from '../support/test-stores.js';
import { createUser } from './factories.js';
import { useTestStore } from './use-test-store.js';

for (const dialect of dialects) {
  describe(`store lifecycle on ${dialect}`, () => {
    const t = useTestStore(dialect);

    it('answers a ping', async () => {
      await expect(t.store.ping()).resolves.toBeUndefined();
    });

    it('migrates again without harm, from this node and from another', async () => {
      const user = await createUser(t.store);
      await t.store.migrate();
      const peer = await t.openPeer();
      await Promise.all([t.store.migrate(), peer.migrate()]);
      expect(await peer.users.byId(user.id)).toEqual(user);
    });
  });
}
