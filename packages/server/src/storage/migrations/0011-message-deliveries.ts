import type { Kysely, Migration } from 'kysely';

/**
 * When each message first reached someone other than its sender: the instant a participant's
 * delivered pointer (or read pointer, which carries it) first moved past the message's seq.
 * Written once per message when a receipt moves a pointer, never on the append path; it is
 * what analytics measures delivery latency (commit → delivered) from. A table of its own, so
 * message rows and the statements that read them stay as they are.
 */
export const messageDeliveries: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('message_deliveries')
      .addColumn('message_id', 'text', (c) => c.primaryKey().references('messages.id').onDelete('cascade'))
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('first_delivered_at', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('message_deliveries').execute();
  },
};
