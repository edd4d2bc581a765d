import { Migrator } from 'kysely';
import type { DialectAdapter } from '../dialect-adapter.js';
import { migrationProvider } from '../migrations/index.js';
import type { Store } from '../store.js';
import { KyselyConversationRepository } from './conversation.repository.js';
import { KyselyMessageRepository } from './message.repository.js';
import { KyselyRevocationRepository } from './revocation.repository.js';
import { KyselySessionRepository } from './session.repository.js';
import { KyselyUserRepository } from './user.repository.js';
import { KyselyReactionRepository } from './reaction.repository.js';
import { KyselySupportCaseRepository } from './support-case.repository.js';
import { KyselyAttachmentRepository } from './attachment.repository.js';
import { KyselyOutboxRepository } from './outbox.repository.js';
import { KyselyModerationRepository } from './moderation.repository.js';
import { KyselyAnalyticsRepository } from './analytics.repository.js';
import { KyselySearchRepository } from './search.repository.js';
import { KyselyWebhookRepository } from './webhook.repository.js';
import { KyselyNotificationRepository } from './notification.repository.js';
import { sql } from 'kysely';

/** How long a migration that failed waits to see another process record one (see `migrate`). */
const RACE_WAIT_MS = 5000;

/**
 * Whether another process records a migration within `RACE_WAIT_MS` (it may still be running
 * the one this process collided with).
 */
async function recordedMeanwhile(applied: () => Promise<number>, before: number): Promise<boolean> {
  for (let waited = 0; waited < RACE_WAIT_MS; waited += 50) {
    if ((await applied()) > before) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** The store for any dialect Kysely speaks; differences stay in the adapter. */
export class KyselyStore implements Store {
  readonly users: KyselyUserRepository;
  readonly conversations: KyselyConversationRepository;
  readonly messages: KyselyMessageRepository;
  readonly revocations: KyselyRevocationRepository;
  readonly sessions: KyselySessionRepository;
  readonly reactions: KyselyReactionRepository;
  readonly cases: KyselySupportCaseRepository;
  readonly attachments: KyselyAttachmentRepository;
  readonly outbox: KyselyOutboxRepository;
  readonly moderation: KyselyModerationRepository;
  readonly analytics: KyselyAnalyticsRepository;
  readonly search: KyselySearchRepository;
  readonly webhooks: KyselyWebhookRepository;
  readonly notifications: KyselyNotificationRepository;

  constructor(readonly adapter: DialectAdapter) {
    this.users = new KyselyUserRepository(adapter);
    this.outbox = new KyselyOutboxRepository(adapter);
    this.messages = new KyselyMessageRepository(adapter, this.outbox);
    this.conversations = new KyselyConversationRepository(adapter, this.messages, this.outbox);
    this.revocations = new KyselyRevocationRepository(adapter);
    this.sessions = new KyselySessionRepository(adapter);
    this.reactions = new KyselyReactionRepository(adapter);
    this.cases = new KyselySupportCaseRepository(adapter, this.conversations, this.messages, this.outbox);
    this.attachments = new KyselyAttachmentRepository(adapter);
    this.moderation = new KyselyModerationRepository(adapter, this.conversations, this.outbox);
    this.analytics = new KyselyAnalyticsRepository(adapter);
    this.search = new KyselySearchRepository(adapter);
    this.webhooks = new KyselyWebhookRepository(adapter, this.outbox);
    this.notifications = new KyselyNotificationRepository(adapter, this.outbox);
  }

  /**
   * Brings the schema up to date. On SQLite, Kysely takes no migration lock, so two processes
   * opening one file at once (a server and a CLI command after an upgrade, two commands on a fresh
   * data directory) may both start the same migration; the later one fails ("table already
   * exists"). Such a failure, after which another process has recorded more migrations, is
   * retried: the next attempt finds them applied. Any other failure is thrown, on SQLite after
   * `RACE_WAIT_MS` of watching for another process.
   */
  async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.adapter.db, provider: migrationProvider(this.adapter) });
    const applied = async () => (await migrator.getMigrations()).filter((m) => m.executedAt !== undefined).length;
    const racing = !this.adapter.migratorLocks;
    for (;;) {
      const before = racing ? await applied() : 0;
      const { error } = await migrator.migrateToLatest();
      if (!error) return;
      if (!racing || !(await recordedMeanwhile(applied, before))) throw error instanceof Error ? error : new Error(String(error));
    }
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.adapter.db);
  }

  async close(): Promise<void> {
    await this.adapter.db.destroy();
  }
}
