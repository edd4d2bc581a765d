import { describe, expect, it } from 'vitest';
import { dialects } from '../support/test-stores.js';
import { useTestStore } from './use-test-store.js';

const NOW = 1_800_000_000;

for (const dialect of dialects) {
  describe(`token revocations on ${dialect}`, () => {
    const t = useTestStore(dialect);

    it('reports a revoked token as revoked and any other as not', async () => {
      await t.store.revocations.revoke('jti-1', NOW + 60);
      expect(await t.store.revocations.isRevoked('jti-1')).toBe(true);
      expect(await t.store.revocations.isRevoked('jti-2')).toBe(false);
    });

    it('accepts revoking the same token twice', async () => {
      await t.store.revocations.revoke('jti-1', NOW + 60);
      await t.store.revocations.revoke('jti-1', NOW + 120);
      expect(await t.store.revocations.isRevoked('jti-1')).toBe(true);
    });

    it('purges only the entries whose tokens have expired and says how many', async () => {
      await t.store.revocations.revoke('expired-1', NOW - 100);
      await t.store.revocations.revoke('expired-2', NOW - 1);
      await t.store.revocations.revoke('expires-now', NOW);
      await t.store.revocations.revoke('still-valid', NOW + 100);
      expect(await t.store.revocations.purgeExpired(NOW)).toBe(2);
      expect(await t.store.revocations.isRevoked('expired-1')).toBe(false);
      expect(await t.store.revocations.isRevoked('expired-2')).toBe(false);
      expect(await t.store.revocations.isRevoked('expires-now')).toBe(true);
      expect(await t.store.revocations.isRevoked('still-valid')).toBe(true);
      expect(await t.store.revocations.purgeExpired(NOW)).toBe(0);
    });
  });
}
