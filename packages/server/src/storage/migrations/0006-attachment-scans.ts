import type { Kysely, Migration } from 'kysely';

/**
 * The virus scan of each upload: `scan_status` (`pending`, `clean`, `infected`, `failed`,
 * `unscanned`) and `scan_detail` (an infected file's signature, or why a scan failed or could not
 * run). Rows written before scanning existed become `clean`: they have been served all along, and
 * marking them `pending` would make every old file unavailable with no scan job owed for it.
 */
export const attachmentScans: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('attachments').addColumn('scan_status', 'text', (c) => c.notNull().defaultTo('clean')).execute();
    await db.schema.alterTable('attachments').addColumn('scan_detail', 'text').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('attachments').dropColumn('scan_detail').execute();
    await db.schema.alterTable('attachments').dropColumn('scan_status').execute();
  },
};
