import type { Kysely, Migration } from 'kysely';

/**
 * `roles_updated_at` (epoch seconds): when the user's roles were last stated, by the host app's
 * API (`PUT /v1/users/{id}`) or by the `iat` of the host token that last set them. A host token
 * issued before it may not put older roles back. Existing users get 0: no statement yet, so the
 * next host token's roles apply as they did before.
 */
export const userRolesStamp: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('users').addColumn('roles_updated_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('users').dropColumn('roles_updated_at').execute();
  },
};
