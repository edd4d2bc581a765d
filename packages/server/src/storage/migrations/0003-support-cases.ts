import type { Kysely, Migration } from 'kysely';

/**
 * A support case is a conversation plus this row: its queue, lifecycle, assignment and SLA
 * timestamps. `priority_rank` orders the backlog portably (urgent first).
 */
export const supportCases: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('support_cases')
      .addColumn('conversation_id', 'text', (c) => c.primaryKey().references('conversations.id').onDelete('cascade'))
      .addColumn('queue', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('priority', 'text', (c) => c.notNull())
      .addColumn('priority_rank', 'integer', (c) => c.notNull())
      .addColumn('category', 'text')
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('requester_id', 'text', (c) => c.notNull())
      .addColumn('assigned_agent_id', 'text')
      .addColumn('assignment_reason', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('first_response_at', 'text')
      .addColumn('accepted_at', 'text')
      .addColumn('resolved_at', 'text')
      .addColumn('closed_at', 'text')
      .addColumn('csat_score', 'integer')
      .addColumn('csat_comment', 'text')
      .addColumn('csat_at', 'text')
      .execute();
    await db.schema.createIndex('support_cases_backlog_idx').on('support_cases').columns(['queue', 'status', 'priority_rank', 'created_at']).execute();
    await db.schema.createIndex('support_cases_agent_idx').on('support_cases').columns(['assigned_agent_id', 'status']).execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('support_cases').execute();
  },
};
