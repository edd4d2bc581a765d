import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, NotificationDeliveriesTable, NotificationSettingsTable, NotificationsTable, PushSubscriptionsTable } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import type { BatchEntry, EscalationStep, NewJob, Notification, NotificationDelivery, NotificationRepository, NotificationSettings, PushSubscription, QuietHours, ScheduleCursor } from '../store.js';
import { COLUMNS } from './columns.js';
import type { KyselyOutboxRepository } from './outbox.repository.js';
import { arg, PreparedQuery } from './prepared-query.js';
import { now } from './rows.js';

const toNotification = (row: Selectable<NotificationsTable>): Notification => ({
  id: row.id,
  userId: row.user_id,
  conversationId: row.conversation_id,
  fromSeq: Number(row.from_seq),
  toSeq: Number(row.to_seq),
  messageCount: Number(row.message_count),
  lastMessageId: row.last_message_id,
  steps: JSON.parse(row.steps) as EscalationStep[],
  state: row.state as Notification['state'],
  firstMessageAt: row.first_message_at,
  readAt: row.read_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toDelivery = (row: Selectable<NotificationDeliveriesTable>): NotificationDelivery => ({
  id: row.id,
  notificationId: row.notification_id,
  userId: row.user_id,
  conversationId: row.conversation_id,
  step: Number(row.step),
  channel: row.channel as NotificationDelivery['channel'],
  outcome: row.outcome as NotificationDelivery['outcome'],
  reason: row.reason,
  toSeq: Number(row.to_seq),
  createdAt: row.created_at,
});

const toSubscription = (row: Selectable<PushSubscriptionsTable>): PushSubscription => ({
  endpoint: row.endpoint,
  userId: row.user_id,
  p256dh: row.p256dh,
  auth: row.auth,
  deviceId: row.device_id,
  createdAt: row.created_at,
});

const toSettings = (row: Selectable<NotificationSettingsTable>): NotificationSettings => ({
  userId: row.user_id,
  push: Number(row.push) === 1,
  email: row.email as NotificationSettings['email'],
  quietHours: row.quiet_hours === null ? null : (JSON.parse(row.quiet_hours) as QuietHours),
  mutedConversations: JSON.parse(row.muted_conversations) as string[],
  updatedAt: row.updated_at,
});

/** The feed, the escalation record, push subscriptions and preferences (docs/notifications.md). */
export class KyselyNotificationRepository implements NotificationRepository {
  /** The scheduler's statements, run for every conversation with new messages; compiled once (see PreparedQuery). */
  private readonly statements: ReturnType<typeof scheduleStatements>;

  constructor(
    private readonly adapter: DialectAdapter,
    private readonly outbox: KyselyOutboxRepository,
  ) {
    this.statements = scheduleStatements(adapter);
  }

  private get db(): Kysely<Database> {
    return this.adapter.db;
  }

  async scheduledThrough(conversationId: string): Promise<number> {
    const row = (await this.statements.cursor.execute(this.db, [conversationId])).rows[0];
    return row ? Number(row.through_seq) : 0;
  }

  async scheduleBatches(
    conversationId: string,
    cursor: ScheduleCursor,
    entries: readonly BatchEntry[],
    firstJob: (entry: BatchEntry, notificationId: string) => NewJob | undefined,
  ): Promise<{ notification: Notification; opened: boolean }[] | undefined> {
    // Feed entries and their cursor lost to a power cut are written again by the next run.
    return this.adapter.bookkeeping(async (trx) => {
      // The cursor moves first: on PostgreSQL its row lock orders concurrent runs, and a run
      // that finds it moved writes nothing (another read the same messages).
      const { rows: moved } = await this.statements.moveCursor.execute(trx, [conversationId, cursor.through, cursor.from]);
      if (moved.length === 0) return undefined;
      const at = now();
      const results: { notification: Notification; opened: boolean }[] = [];
      for (const entry of entries) {
        const row = await this.upsertBatch(trx, conversationId, entry, at);
        const opened = row.id === entry.newId;
        const job = opened ? firstJob(entry, row.id) : undefined;
        if (job) await this.outbox.enqueueIn(trx, [job], at);
        results.push({ notification: toNotification(row), opened });
      }
      return results;
    });
  }

  /** Extends the recipient's open batch with the entry's range, or opens one. */
  private async upsertBatch(trx: Kysely<Database>, conversationId: string, entry: BatchEntry, at: string): Promise<Selectable<NotificationsTable>> {
    const args = [entry.newId, entry.userId, conversationId, entry.fromSeq, entry.toSeq, entry.messageCount, entry.lastMessageId, JSON.stringify(entry.steps), entry.firstMessageAt, at];
    const row = (await this.statements.upsertBatch.execute(trx, args)).rows[0];
    if (!row) throw new Error('the batch upsert returned no row');
    return row;
  }

  async byId(id: string): Promise<Notification | undefined> {
    const row = await this.db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toNotification(row);
  }

  async list(userId: string, query: { unread?: boolean; limit: number; before?: string }): Promise<Notification[]> {
    let select = this.db.selectFrom('notifications').selectAll().where('user_id', '=', userId);
    if (query.unread) select = select.where('read_at', 'is', null);
    if (query.before !== undefined) select = select.where('updated_at', '<', query.before);
    const rows = await select.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(toNotification);
  }

  async markRead(userId: string, ids: readonly string[] | 'all', at: string): Promise<Notification[]> {
    if (ids !== 'all' && ids.length === 0) return [];
    let update = this.db.updateTable('notifications').set({ read_at: at, state: 'done' }).where('user_id', '=', userId).where('read_at', 'is', null);
    if (ids !== 'all') update = update.where('id', 'in', ids);
    return (await update.returningAll().execute()).map(toNotification);
  }

  async readThrough(userId: string, conversationId: string, seq: number, at: string): Promise<Notification[]> {
    const rows = await this.db
      .updateTable('notifications')
      .set({ read_at: at, state: 'done' })
      .where('user_id', '=', userId)
      .where('conversation_id', '=', conversationId)
      .where('read_at', 'is', null)
      .where('to_seq', '<=', seq)
      .returningAll()
      .execute();
    return rows.map(toNotification);
  }

  async delivery(id: string): Promise<NotificationDelivery | undefined> {
    const row = await this.db.selectFrom('notification_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toDelivery(row);
  }

  async deliveries(userId: string, conversationId: string): Promise<NotificationDelivery[]> {
    const rows = await this.db.selectFrom('notification_deliveries').selectAll().where('user_id', '=', userId).where('conversation_id', '=', conversationId).orderBy('created_at').orderBy('id').execute();
    return rows.map(toDelivery);
  }

  async recordStep(delivery: NotificationDelivery, next: { job?: NewJob; close: boolean }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const d = delivery;
      const inserted = await trx
        .insertInto('notification_deliveries')
        .values({ id: d.id, notification_id: d.notificationId, user_id: d.userId, conversation_id: d.conversationId, step: d.step, channel: d.channel, outcome: d.outcome, reason: d.reason, to_seq: d.toSeq, created_at: d.createdAt })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      // Recorded before: the next step was written (or the batch closed) with that record.
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return;
      if (next.job) await this.outbox.enqueueIn(trx, [next.job], d.createdAt);
      if (next.close) await trx.updateTable('notifications').set({ state: 'done' }).where('id', '=', d.notificationId).execute();
    });
  }

  async subscribe(subscription: Omit<PushSubscription, 'createdAt'>): Promise<PushSubscription> {
    const row = { endpoint: subscription.endpoint, user_id: subscription.userId, p256dh: subscription.p256dh, auth: subscription.auth, device_id: subscription.deviceId, created_at: now() };
    const stored = await this.db
      .insertInto('push_subscriptions')
      .values(row)
      .onConflict((oc) => oc.column('endpoint').doUpdateSet({ user_id: row.user_id, p256dh: row.p256dh, auth: row.auth, device_id: row.device_id }))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSubscription(stored);
  }

  async unsubscribe(userId: string, endpoint: string): Promise<boolean> {
    const result = await this.db.deleteFrom('push_subscriptions').where('user_id', '=', userId).where('endpoint', '=', endpoint).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async subscriptions(userId: string): Promise<PushSubscription[]> {
    return (await this.db.selectFrom('push_subscriptions').selectAll().where('user_id', '=', userId).orderBy('created_at').execute()).map(toSubscription);
  }

  async dropSubscription(endpoint: string): Promise<void> {
    await this.db.deleteFrom('push_subscriptions').where('endpoint', '=', endpoint).execute();
  }

  async settingsOf(userIds: readonly string[]): Promise<Map<string, NotificationSettings>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('notification_settings').selectAll().where('user_id', 'in', userIds).execute();
    return new Map(rows.map((row) => [row.user_id, toSettings(row)]));
  }

  async subscribedUsers(userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.db.selectFrom('push_subscriptions').select('user_id').distinct().where('user_id', 'in', userIds).execute();
    return new Set(rows.map((row) => row.user_id));
  }

  async settings(userId: string): Promise<NotificationSettings | undefined> {
    const row = await this.db.selectFrom('notification_settings').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return row && toSettings(row);
  }

  async saveSettings(settings: Omit<NotificationSettings, 'updatedAt'>): Promise<NotificationSettings> {
    const row = {
      user_id: settings.userId,
      push: settings.push ? 1 : 0,
      email: settings.email,
      quiet_hours: settings.quietHours === null ? null : JSON.stringify(settings.quietHours),
      muted_conversations: JSON.stringify(settings.mutedConversations),
      updated_at: now(),
    };
    const { user_id: _id, ...changes } = row;
    const stored = await this.db.insertInto('notification_settings').values(row).onConflict((oc) => oc.column('user_id').doUpdateSet(changes)).returningAll().executeTakeFirstOrThrow();
    return toSettings(stored);
  }
}

function scheduleStatements(adapter: DialectAdapter) {
  // Arguments: conversation id, the new position, the position the run read from.
  const moveCursor = new PreparedQuery(adapter, (db) =>
    db
      .insertInto('notification_schedules')
      .values({ conversation_id: arg(0), through_seq: arg<number>(1) })
      .onConflict((oc) => oc.column('conversation_id').doUpdateSet({ through_seq: arg<number>(1) }).where('notification_schedules.through_seq', '=', arg<number>(2)))
      .returning('through_seq'),
  );
  // The cursor hands out each message once, in order, so a range either lies wholly past the
  // batch's newest message and extends it, or was counted already and changes nothing; the
  // count then grows by addition, never by rescanning the batch's messages.
  // Arguments: new id, user, conversation, from seq, to seq, count, last message id, steps (JSON), first message at, now.
  const isNewer = sql<boolean>`excluded.from_seq > notifications.to_seq`;
  const upsertBatch = new PreparedQuery(adapter, (db) =>
    db
      .insertInto('notifications')
      .values({
        id: arg(0),
        user_id: arg(1),
        conversation_id: arg(2),
        from_seq: arg<number>(3),
        to_seq: arg<number>(4),
        message_count: arg<number>(5),
        last_message_id: arg(6),
        steps: arg(7),
        state: 'open',
        first_message_at: arg(8),
        read_at: null,
        created_at: arg(9),
        updated_at: arg(9),
      })
      .onConflict((oc) =>
        oc
          .columns(['user_id', 'conversation_id'])
          // A literal, as in the index: a bound parameter would not match its predicate.
          .where('state', '=', sql.lit('open'))
          .doUpdateSet({
            to_seq: sql`case when ${isNewer} then excluded.to_seq else notifications.to_seq end`,
            message_count: sql`case when ${isNewer} then notifications.message_count + excluded.message_count else notifications.message_count end`,
            last_message_id: sql`case when ${isNewer} then excluded.last_message_id else notifications.last_message_id end`,
            updated_at: sql`case when ${isNewer} then excluded.updated_at else notifications.updated_at end`,
          }),
      )
      .returning(COLUMNS.notifications),
  );
  return {
    cursor: new PreparedQuery(adapter, (db) => db.selectFrom('notification_schedules').select('through_seq').where('conversation_id', '=', arg(0))),
    moveCursor,
    upsertBatch,
  };
}
