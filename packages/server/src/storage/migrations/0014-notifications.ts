import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Reaching people who are not looking (docs/notifications.md):
 * - `notifications`: the in-app feed, one row per recipient, conversation and batch. A batch is
 *   `open` while its escalation steps may still fire and new messages join it; one open batch
 *   per (user, conversation), kept by a partial unique index that the scheduler upserts into.
 * - `notification_deliveries`: one row per step that fired (sent, skipped or failed), keyed by
 *   the step's job id, so a step re-run after a crash finds it was sent and does not send again.
 * - `push_subscriptions`: one row per browser endpoint; the push service's 404/410 deletes it.
 * - `notification_settings`: a user's preferences; absent means the defaults.
 */
export const notifications: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('notifications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
      .addColumn('from_seq', 'integer', (c) => c.notNull())
      .addColumn('to_seq', 'integer', (c) => c.notNull())
      .addColumn('message_count', 'integer', (c) => c.notNull())
      .addColumn('last_message_id', 'text', (c) => c.notNull())
      .addColumn('steps', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('first_message_at', 'text', (c) => c.notNull())
      .addColumn('read_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('notifications_open_idx').on('notifications').columns(['user_id', 'conversation_id']).unique().where(sql.ref('state'), '=', 'open').execute();
    await db.schema.createIndex('notifications_feed_idx').on('notifications').columns(['user_id', 'updated_at']).execute();
    await db.schema
      .createTable('notification_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('notification_id', 'text', (c) => c.notNull().references('notifications.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('step', 'integer', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('to_seq', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('notification_deliveries_user_idx').on('notification_deliveries').columns(['user_id', 'conversation_id']).execute();
    await db.schema
      .createTable('push_subscriptions')
      .addColumn('endpoint', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('p256dh', 'text', (c) => c.notNull())
      .addColumn('auth', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('push_subscriptions_user_idx').on('push_subscriptions').column('user_id').execute();
    await db.schema
      .createTable('notification_settings')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('push', 'integer', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('quiet_hours', 'text')
      .addColumn('muted_conversations', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['notification_settings', 'push_subscriptions', 'notification_deliveries', 'notifications']) await db.schema.dropTable(table).execute();
  },
};
