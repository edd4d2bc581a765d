import { describe, expect, it } from 'vitest';
import { dialects } from '../support/test-stores.js';
import { useTestStore } from './use-test-store.js';

const NOW = 1_800_000_000;
const session = (id: string, userId: string, expiresAt = NOW + 60) => ({ id, userId, tokenHash: `hash-${id}`, createdAt: NOW, expiresAt });

for (const dialect of dialects) {
  describe(`opaque sessions on ${dialect}`, () => {
    const t = useTestStore(dialect);

    it('finds a session by the hash of its token, and nothing by another hash', async () => {
      await t.store.sessions.create(session('s1', 'u1'));
      expect(await t.store.sessions.byTokenHash('hash-s1')).toEqual({ id: 's1', userId: 'u1', createdAt: NOW, expiresAt: NOW + 60 });
      expect(await t.store.sessions.byTokenHash('hash-s2')).toBeUndefined();
    });

    it('deletes one session, then all of a user, and says how many', async () => {
      await t.store.sessions.create(session('s1', 'u1'));
      await t.store.sessions.create(session('s2', 'u1'));
      await t.store.sessions.create(session('s3', 'u2'));
      expect(await t.store.sessions.delete('s1')).toBe(true);
      expect(await t.store.sessions.delete('s1')).toBe(false);
      expect(await t.store.sessions.deleteForUser('u1')).toBe(1);
      expect(await t.store.sessions.byTokenHash('hash-s3')).toBeDefined();
    });

    it('purges only the sessions that have expired', async () => {
      await t.store.sessions.create(session('old', 'u1', NOW - 1));
      await t.store.sessions.create(session('now', 'u1', NOW));
      expect(await t.store.sessions.purgeExpired(NOW)).toBe(1);
      expect(await t.store.sessions.byTokenHash('hash-old')).toBeUndefined();
      expect(await t.store.sessions.byTokenHash('hash-now')).toBeDefined();
    });
  });
}
