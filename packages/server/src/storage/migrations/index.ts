import type { Migration, MigrationProvider } from 'kysely';
import { initial } from './0001-initial.js';
import { reactions } from './0002-reactions.js';
import { supportCases } from './0003-support-cases.js';
import { attachments } from './0004-attachments.js';
import { jobs } from './0005-jobs.js';
import { attachmentScans } from './0006-attachment-scans.js';
import { clientIdPerConversation } from './0007-client-id-per-conversation.js';
import { userRolesStamp } from './0008-user-roles-stamp.js';
import { moderation } from './0009-moderation.js';
import { sessions } from './0010-sessions.js';
import { messageDeliveries } from './0011-message-deliveries.js';
import { search } from './0012-search.js';
import { webhooks } from './0013-webhooks.js';
import { notifications } from './0014-notifications.js';
import { coalescedJobs } from './0015-coalesced-jobs.js';
import { searchAfterCommit } from './0016-search-after-commit.js';
import type { DialectAdapter } from '../dialect-adapter.js';

/** What a migration may need to know of the database it runs on. */
export type MigrationCapabilities = Pick<DialectAdapter, 'alterConstraints' | 'substringIndex'>;

/** Migrations live in code so a bundled or compiled server carries them; order is by key. */
export function migrationProvider(capabilities: MigrationCapabilities): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '0001-initial': initial,
        '0002-reactions': reactions,
        '0003-support-cases': supportCases,
        '0004-attachments': attachments,
        '0005-jobs': jobs,
        '0006-attachment-scans': attachmentScans,
        '0007-client-id-per-conversation': clientIdPerConversation(capabilities),
        '0008-user-roles-stamp': userRolesStamp,
        '0009-moderation': moderation,
        '0010-sessions': sessions,
        '0011-message-deliveries': messageDeliveries,
        '0012-search': search(capabilities),
        '0013-webhooks': webhooks,
        '0014-notifications': notifications,
        '0015-coalesced-jobs': coalescedJobs,
        '0016-search-after-commit': searchAfterCommit(capabilities),
      };
    },
  };
}
