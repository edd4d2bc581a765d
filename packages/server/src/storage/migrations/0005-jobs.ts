import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The outbox: one row per side effect a commit owes (a stamp, a webhook, a notification),
 * written in the same transaction as the change it reports and run later by the job runner.
 * Completed and failed rows stay for inspection. The partial index holds only the rows still
 * owed, so claiming due work stays cheap however many completed rows pile up.
 */
export const jobs: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('run_at', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('locked_until', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('completed_at', 'text')
      .addColumn('failed_at', 'text')
      .execute();
    await db.schema
      .createIndex('jobs_due_idx')
      .on('jobs')
      .column('run_at')
      .where(sql.ref('completed_at'), 'is', null)
      .where(sql.ref('failed_at'), 'is', null)
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('jobs').execute();
  },
};
