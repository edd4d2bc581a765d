import type { Kysely, Migration } from 'kysely';

/**
 * Moderation: reports of messages, restrictions of users (bans and mutes), the blocklist, blocks
 * between users and the audit log of every moderator action. A message keeps its row (and seq)
 * when hidden; `reported` says it was ever reported, `shadowed` that it was written under a
 * shadow ban (only its sender and moderators see it). `slow_mode_seconds` is a conversation's
 * cooldown between one member's messages (0: off).
 */
export const moderation: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('messages').addColumn('reported', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('messages').addColumn('shadowed', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('conversations').addColumn('slow_mode_seconds', 'integer', (c) => c.notNull().defaultTo(0)).execute();

    await db.schema
      .createTable('message_reports')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id').onDelete('cascade'))
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      // A user id, or `system:<rule>` for reports the server files (a flagged blocklist term).
      .addColumn('reporter_id', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('state', 'text', (c) => c.notNull().defaultTo('open'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('resolved_at', 'text')
      .addColumn('resolved_by', 'text')
      .addUniqueConstraint('message_reports_one_per_reporter', ['message_id', 'reporter_id'])
      .execute();
    await db.schema.createIndex('message_reports_state').on('message_reports').columns(['state', 'created_at']).execute();

    await db.schema
      .createTable('moderation_restrictions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull()) // ban | mute
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text') // null: everywhere (bans only)
      .addColumn('shadow', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('until', 'text') // null: until lifted
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('lifted_at', 'text')
      .addColumn('lifted_by', 'text')
      .execute();
    await db.schema.createIndex('moderation_restrictions_user').on('moderation_restrictions').columns(['user_id', 'lifted_at']).execute();

    await db.schema
      .createTable('blocklist_terms')
      .addColumn('term', 'text', (c) => c.primaryKey()) // normalised
      .addColumn('action', 'text', (c) => c.notNull()) // block | mask | flag
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('user_blocks')
      .addColumn('blocker_id', 'text', (c) => c.notNull())
      .addColumn('blocked_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('user_blocks_pk', ['blocker_id', 'blocked_id'])
      .execute();
    await db.schema.createIndex('user_blocks_blocked').on('user_blocks').columns(['blocked_id']).execute();

    await db.schema
      .createTable('moderation_audit')
      .addColumn('id', 'text', (c) => c.primaryKey()) // time-ordered, so it is also the list order
      .addColumn('actor_id', 'text') // null: the server itself (auto-hide)
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('params', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['moderation_audit', 'user_blocks', 'blocklist_terms', 'moderation_restrictions', 'message_reports']) await db.schema.dropTable(table).execute();
    await db.schema.alterTable('conversations').dropColumn('slow_mode_seconds').execute();
    await db.schema.alterTable('messages').dropColumn('shadowed').execute();
    await db.schema.alterTable('messages').dropColumn('reported').execute();
  },
};
