import { describe, expect, it } from 'vitest';
import { dialects } from '../support/test-stores.js';
import { buildUser, createUser } from './factories.js';
import { expectAppError, range, useTestStore, warmUp } from './use-test-store.js';

for (const dialect of dialects) {
  describe(`users on ${dialect}`, () => {
    const t = useTestStore(dialect);

    describe('upsert', () => {
      it('creates a user with defaults for the fields it was not given', async () => {
        const user = await t.store.users.upsert(buildUser({ id: 'ana', email: 'ana@example.test', displayName: 'Ana', roles: ['agent'] }));
        expect(user).toMatchObject({
          id: 'ana',
          email: 'ana@example.test',
          displayName: 'Ana',
          firstName: null,
          lastName: null,
          roles: ['agent'],
          profile: {},
          disabled: false,
          tokensValidAfter: 0,
        });
        expect(await t.store.users.byId('ana')).toEqual(user);
      });

      it('updates an existing user and keeps every field the patch leaves out', async () => {
        const created = await createUser(t.store, {
          passwordHash: 'hash-1',
          firstName: 'Ana',
          lastName: 'Lima',
          roles: ['agent'],
          profile: { team: 'blue' },
        });
        const updated = await t.store.users.upsert({ id: created.id, displayName: 'Renamed', tokensValidAfter: 1_700_000_000 });
        expect(updated).toEqual({ ...created, displayName: 'Renamed', tokensValidAfter: 1_700_000_000, updatedAt: updated.updatedAt });
        expect(await t.store.users.passwordHash(created.id)).toBe('hash-1');
        expect(await t.store.users.count()).toBe(1);
      });

      it('clears a field that the patch sets to null', async () => {
        const created = await createUser(t.store, { firstName: 'Ana' });
        const updated = await t.store.users.upsert({ id: created.id, email: null, firstName: null });
        expect(updated.email).toBeNull();
        expect(updated.firstName).toBeNull();
        expect(updated.displayName).toBe(created.displayName);
      });

      it('creates a user from a bare id, naming it after the id', async () => {
        const user = await t.store.users.upsert({ id: 'bare' });
        expect(user).toMatchObject({ id: 'bare', email: null, displayName: 'bare', roles: [], disabled: false });
      });

      it('lets concurrent upserts of one new user all succeed, as one user', async () => {
        const ids = ['racer-1', 'racer-2', 'racer-3', 'racer-4', 'racer-5'];
        await warmUp(t.store);
        const upserts = ids.flatMap((id) => range(1, 8).map((i) => t.store.users.upsert({ id, displayName: `Try ${i}` })));
        const results = await Promise.all(upserts);
        expect(results.map((user) => user.id)).toEqual(ids.flatMap((id) => range(1, 8).map(() => id)));
        expect(await t.store.users.count()).toBe(ids.length);
      });
    });

    describe('emails', () => {
      it('stores emails lower-cased and finds them whatever their case', async () => {
        const created = await createUser(t.store, { email: 'Mixed.Case@Example.TEST' });
        expect(created.email).toBe('mixed.case@example.test');
        expect((await t.store.users.byEmail('MIXED.case@example.test'))?.id).toBe(created.id);
        expect(await t.store.users.byEmail('someone.else@example.test')).toBeUndefined();
      });

      it('refuses a second user with the same email in another case, as email_taken', async () => {
        const first = await createUser(t.store, { email: 'taken@example.test' });
        await expectAppError(t.store.users.upsert(buildUser({ id: 'second', email: 'TAKEN@example.test' })), 'email_taken');
        expect(await t.store.users.byId('second')).toBeUndefined();
        expect(await t.store.users.byEmail('taken@example.test')).toEqual(first);
      });

      it('refuses to move a user onto an email another user holds, and leaves the user unchanged', async () => {
        await createUser(t.store, { email: 'one@example.test' });
        const other = await createUser(t.store, { email: 'two@example.test' });
        await expectAppError(t.store.users.upsert({ id: other.id, email: 'one@example.test', displayName: 'Changed' }), 'email_taken');
        expect(await t.store.users.byId(other.id)).toEqual(other);
      });

      it('lets a user be saved again with the email they already hold', async () => {
        const created = await createUser(t.store, { email: 'same@example.test' });
        const saved = await t.store.users.upsert(buildUser({ id: created.id, email: 'SAME@example.test', displayName: 'Again' }));
        expect(saved).toMatchObject({ id: created.id, email: 'same@example.test', displayName: 'Again' });
      });

      it('allows any number of users without an email', async () => {
        await createUser(t.store, { email: null });
        await createUser(t.store, { email: null });
        expect(await t.store.users.count()).toBe(2);
      });
    });

    describe('lookups', () => {
      it('finds several users by id and skips the unknown ones', async () => {
        const [a, b] = [await createUser(t.store), await createUser(t.store)];
        await createUser(t.store);
        const found = await t.store.users.byIds([a.id, 'nobody', b.id]);
        expect(found.map((user) => user.id).sort()).toEqual([a.id, b.id].sort());
        expect(await t.store.users.byIds([])).toEqual([]);
      });

      it('returns undefined for an unknown id', async () => {
        expect(await t.store.users.byId('nobody')).toBeUndefined();
        expect(await t.store.users.passwordHash('nobody')).toBeUndefined();
      });

      it('returns the password hash only for users that have one', async () => {
        const withHash = await createUser(t.store, { passwordHash: '$argon2id$v=19$abc' });
        const withoutHash = await createUser(t.store, { passwordHash: null });
        expect(await t.store.users.passwordHash(withHash.id)).toBe('$argon2id$v=19$abc');
        expect(await t.store.users.passwordHash(withoutHash.id)).toBeUndefined();
      });

      it('counts users', async () => {
        expect(await t.store.users.count()).toBe(0);
        await createUser(t.store);
        await createUser(t.store);
        expect(await t.store.users.count()).toBe(2);
      });
    });

    describe('withRoles', () => {
      it('returns the enabled users holding any of the roles', async () => {
        const agent = await createUser(t.store, { roles: ['agent'] });
        const admin = await createUser(t.store, { roles: ['customer', 'admin'] });
        await createUser(t.store, { roles: ['customer'] });
        await createUser(t.store, { roles: ['agent'], disabled: true });
        const found = await t.store.users.withRoles(['agent', 'admin']);
        expect(found.map((user) => user.id).sort()).toEqual([agent.id, admin.id].sort());
      });

      it('matches whole role names, not parts or other cases of them', async () => {
        await createUser(t.store, { roles: ['agent-lead', 'Agent', 'agents'] });
        const exact = await createUser(t.store, { roles: ['agent'] });
        expect((await t.store.users.withRoles(['agent'])).map((user) => user.id)).toEqual([exact.id]);
      });

      it('treats LIKE wildcards and quotes in role names literally', async () => {
        const odd = await createUser(t.store, { roles: ['50%_off', 'say "hi"', 'back\\slash'] });
        await createUser(t.store, { roles: ['50%Xoff'] });
        for (const role of ['50%_off', 'say "hi"', 'back\\slash']) {
          expect((await t.store.users.withRoles([role])).map((user) => user.id), role).toEqual([odd.id]);
        }
      });

      it('returns nobody for no roles', async () => {
        await createUser(t.store, { roles: ['agent'] });
        expect(await t.store.users.withRoles([])).toEqual([]);
      });
    });
  });
}
