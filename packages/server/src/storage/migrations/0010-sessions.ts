import type { Kysely, Migration } from 'kysely';

/**
 * Opaque sessions (StepperGO's login): one row per session, keyed by the sha256 of its token, so
 * the store never holds a token that would let its reader sign in. `created_at` and
 * `expires_at` are epoch seconds; a session created before the user's `tokens_valid_after` is
 * revoked with the user's other tokens. Self-contained: it touches no other table.
 */
export const sessions: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('sessions').execute();
  },
};
