import type { Kysely, Migration } from 'kysely';

/**
 * Jobs about a conversation rather than one message (docs/jobs.md, "Coalesced jobs"):
 * - `jobs.rerun`: set when a change wants a coalesced job that is running right now, so that
 *   the run's completion makes it due again instead of settling it; the change it missed is
 *   then picked up by the next run.
 * - `notification_schedules`: how far the escalation scheduler has read each conversation,
 *   moved in the transaction that adds those messages to the recipients' batches.
 */
export const coalescedJobs: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('jobs').addColumn('rerun', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema
      .createTable('notification_schedules')
      .addColumn('conversation_id', 'text', (c) => c.primaryKey().references('conversations.id').onDelete('cascade'))
      .addColumn('through_seq', 'integer', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('notification_schedules').execute();
    await db.schema.alterTable('jobs').dropColumn('rerun').execute();
  },
};
