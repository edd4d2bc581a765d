import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
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

    it.runIf(dialect === 'postgres')('keeps the hot statements prepared on the server, by name', async () => {
      const user = await createUser(t.store);
      // Enough concurrent calls that every pooled connection has run the statement.
      await Promise.all(Array.from({ length: 30 }, () => t.store.users.byId(user.id)));
      const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute((t.store as KyselyStore).adapter.db);
      expect(rows.some((r) => r.name.startsWith('switchboard_') && r.statement.includes('from "users"') && !r.statement.includes('*'))).toBe(true);
    });
  });
}
