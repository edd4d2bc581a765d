import { sql, type Kysely, type Migration } from 'kysely';
import type { MigrationCapabilities } from './index.js';

/**
 * A `client_id` is an idempotency key per sender *and conversation*. Unique per sender alone, a
 * client reusing one in another conversation was answered with the other conversation's message
 * and nothing was stored: a silently dropped message.
 *
 * PostgreSQL swaps the constraint in place. SQLite cannot drop a constraint, so the table is
 * rebuilt under the new one with foreign keys off (SQLite migrations run outside a transaction,
 * so the pragma takes effect; the rebuild itself is one transaction), and the foreign keys of
 * the rows that point at messages are checked before they are switched back on.
 */
export function clientIdPerConversation(capabilities: MigrationCapabilities): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (capabilities.alterConstraints) {
        await db.schema.alterTable('messages').dropConstraint('messages_client_id_unique').execute();
        await db.schema.alterTable('messages').addUniqueConstraint('messages_client_id_unique', ['sender_id', 'conversation_id', 'client_id']).execute();
        return;
      }
      await rebuildMessages(db, ['sender_id', 'conversation_id', 'client_id']);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      if (capabilities.alterConstraints) {
        await db.schema.alterTable('messages').dropConstraint('messages_client_id_unique').execute();
        await db.schema.alterTable('messages').addUniqueConstraint('messages_client_id_unique', ['sender_id', 'client_id']).execute();
        return;
      }
      await rebuildMessages(db, ['sender_id', 'client_id']);
    },
  };
}

/** The messages table of 0001, re-created with `clientIdKey` as the client id's unique key (SQLite). */
async function rebuildMessages(db: Kysely<unknown>, clientIdKey: readonly ('sender_id' | 'conversation_id' | 'client_id')[]): Promise<void> {
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await db.transaction().execute(async (trx) => {
      await trx.schema
        .createTable('messages_rebuilt')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('sender_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('attachments', 'text', (c) => c.notNull())
        .addColumn('reply_to', 'text')
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text')
        .addColumn('edited_at', 'text')
        .addColumn('deleted_at', 'text')
        .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('messages_seq_unique', ['conversation_id', 'seq'])
        .addUniqueConstraint('messages_client_id_unique', [...clientIdKey])
        .execute();
      await sql`insert into messages_rebuilt (id, conversation_id, seq, sender_id, kind, content, attachments, reply_to, metadata, client_id, edited_at, deleted_at, hidden, created_at)
        select id, conversation_id, seq, sender_id, kind, content, attachments, reply_to, metadata, client_id, edited_at, deleted_at, hidden, created_at from messages`.execute(trx);
      await trx.schema.dropTable('messages').execute();
      await trx.schema.alterTable('messages_rebuilt').renameTo('messages').execute();
      const broken = await sql<{ table: string }>`pragma foreign_key_check`.execute(trx);
      if (broken.rows.length > 0) throw new Error(`rebuilding messages broke ${broken.rows.length} foreign keys`);
    });
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}
