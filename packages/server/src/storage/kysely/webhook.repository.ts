import type { Kysely, Selectable } from 'kysely';
import type { Database, WebhookDeliveriesTable, WebhookEndpointsTable } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import type {
  NewWebhookDelivery,
  NewWebhookEndpoint,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookEndpointPatch,
  WebhookRepository,
} from '../store.js';
import type { KyselyOutboxRepository } from './outbox.repository.js';
import { now } from './rows.js';

const toEndpoint = (row: Selectable<WebhookEndpointsTable>): WebhookEndpoint => ({
  id: row.id,
  url: row.url,
  events: JSON.parse(row.events) as string[],
  description: row.description,
  secret: row.secret,
  disabledAt: row.disabled_at,
  disabledReason: row.disabled_reason,
  failingSince: row.failing_since,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toDelivery = (row: Selectable<WebhookDeliveriesTable>): WebhookDelivery => ({
  id: row.id,
  endpointId: row.endpoint_id,
  eventType: row.event_type,
  payload: row.payload,
  status: row.status as WebhookDeliveryStatus,
  attempts: Number(row.attempts),
  nextAttemptAt: row.next_attempt_at,
  lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
  lastError: row.last_error,
  createdAt: row.created_at,
  deliveredAt: row.delivered_at,
});

/** The job of a delivery's first attempt; a redelivery's carries its instant, so it is a new job. */
const attemptJobId = (deliveryId: string, jobKind: string, redeliveredAt?: string) => (redeliveredAt === undefined ? `${deliveryId}:${jobKind}` : `${deliveryId}:${jobKind}:${redeliveredAt}`);

export class KyselyWebhookRepository implements WebhookRepository {
  constructor(
    private readonly adapter: DialectAdapter,
    private readonly outbox: KyselyOutboxRepository,
  ) {}

  private get db(): Kysely<Database> {
    return this.adapter.db;
  }

  async createEndpoint(endpoint: NewWebhookEndpoint): Promise<WebhookEndpoint> {
    const at = now();
    const row = { id: endpoint.id, url: endpoint.url, events: JSON.stringify(endpoint.events), description: endpoint.description, secret: endpoint.secret, disabled_at: null, disabled_reason: null, failing_since: null, created_at: at, updated_at: at };
    await this.db.insertInto('webhook_endpoints').values(row).execute();
    return toEndpoint(row);
  }

  async endpoint(id: string): Promise<WebhookEndpoint | undefined> {
    const row = await this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toEndpoint(row);
  }

  async endpoints(): Promise<WebhookEndpoint[]> {
    const rows = await this.db.selectFrom('webhook_endpoints').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toEndpoint);
  }

  async updateEndpoint(id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpoint | undefined> {
    const at = now();
    await this.db
      .updateTable('webhook_endpoints')
      .set({
        updated_at: at,
        ...(patch.url !== undefined && { url: patch.url }),
        ...(patch.events !== undefined && { events: JSON.stringify(patch.events) }),
        ...(patch.description !== undefined && { description: patch.description }),
        ...(patch.secret !== undefined && { secret: patch.secret }),
        ...(patch.enabled === true && { disabled_at: null, disabled_reason: null, failing_since: null }),
        ...(patch.enabled === false && { disabled_at: at, disabled_reason: patch.disabledReason ?? 'disabled' }),
      })
      .where('id', '=', id)
      .execute();
    return this.endpoint(id);
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
      const result = await trx.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async subscribedTypes(): Promise<string[]> {
    const rows = await this.db.selectFrom('webhook_endpoints').select('events').where('disabled_at', 'is', null).execute();
    return [...new Set(rows.flatMap((row) => JSON.parse(row.events) as string[]))];
  }

  async createDeliveries(deliveries: readonly NewWebhookDelivery[], jobKind: string): Promise<void> {
    if (deliveries.length === 0) return;
    const at = now();
    await this.db.transaction().execute(async (trx) => {
      for (const d of deliveries) {
        const inserted = await trx
          .insertInto('webhook_deliveries')
          .values({ id: d.id, endpoint_id: d.endpointId, event_type: d.eventType, payload: d.payload, status: 'pending', attempts: 0, next_attempt_at: at, last_status_code: null, last_error: null, created_at: at, delivered_at: null })
          .onConflict((oc) => oc.column('id').doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) continue;
        await this.outbox.enqueueIn(trx, [{ id: attemptJobId(d.id, jobKind), kind: jobKind, subjectId: d.id }], at);
      }
    });
  }

  async delivery(id: string): Promise<WebhookDelivery | undefined> {
    const row = await this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toDelivery(row);
  }

  async deliveries(endpointId: string, query: { readonly status?: WebhookDeliveryStatus; readonly limit: number; readonly before?: string }): Promise<WebhookDelivery[]> {
    let select = this.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId);
    if (query.status !== undefined) select = select.where('status', '=', query.status);
    if (query.before !== undefined) {
      const cursor = await this.db.selectFrom('webhook_deliveries').select(['created_at', 'id']).where('id', '=', query.before).executeTakeFirst();
      if (!cursor) return [];
      select = select.where((eb) => eb.or([eb('created_at', '<', cursor.created_at), eb.and([eb('created_at', '=', cursor.created_at), eb('id', '<', cursor.id)])]));
    }
    const rows = await select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(toDelivery);
  }

  async recordAttempt(deliveryId: string, attempt: WebhookAttempt): Promise<WebhookEndpoint | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('webhook_deliveries')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          status: attempt.status,
          last_status_code: attempt.statusCode,
          last_error: attempt.error,
          next_attempt_at: attempt.nextAttemptAt,
          ...(attempt.status === 'succeeded' && { delivered_at: attempt.at }),
        }))
        .where('id', '=', deliveryId)
        .returning('endpoint_id')
        .executeTakeFirst();
      if (!row) return undefined;
      await trx
        .updateTable('webhook_endpoints')
        .set(attempt.status === 'succeeded' ? { failing_since: null } : (eb) => ({ failing_since: eb.fn.coalesce('failing_since', eb.val(attempt.at)) }))
        .where('id', '=', row.endpoint_id)
        .execute();
      const endpoint = await trx.selectFrom('webhook_endpoints').selectAll().where('id', '=', row.endpoint_id).executeTakeFirst();
      return endpoint && toEndpoint(endpoint);
    });
  }

  async redeliver(deliveryId: string, jobKind: string, at: string): Promise<WebhookDelivery | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', attempts: 0, next_attempt_at: at, last_error: null })
        .where('id', '=', deliveryId)
        .where('status', '!=', 'pending')
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      await this.outbox.enqueueIn(trx, [{ id: attemptJobId(deliveryId, jobKind, at), kind: jobKind, subjectId: deliveryId }], at);
      return toDelivery(row);
    });
  }
}
