import { createHash } from 'node:crypto';
import type { Job } from '../storage/store.js';
import type { Store } from '../storage/store.js';
import type { JobHandler } from '../jobs/job-handler.js';
import { MESSAGE_CREATED_JOB_KIND } from './webhook-events.js';
import { webhookEventData } from './webhook-event-data.js';
import { DELIVERY_JOB_KIND } from './webhook-delivery.job.js';

/**
 * The delivery id (the `webhook-id` header) of one event for one endpoint: derived from both, so
 * an event fanned out twice (its node died before the job was marked complete) makes the same
 * deliveries, which are then skipped, never sent twice.
 */
export function deliveryIdOf(eventJobId: string, endpointId: string): string {
  return `msg_${createHash('sha256').update(`${eventJobId}\u0000${endpointId}`).digest('base64url').slice(0, 27)}`;
}

function eventType(job: Job): string {
  if (job.kind === MESSAGE_CREATED_JOB_KIND) return 'message.created';
  return String((job.payload as { type?: unknown }).type);
}

/**
 * Runs an event's job: builds its body once and writes one delivery (with the job of its first
 * attempt) for every enabled endpoint that receives the type. The body is fixed from then on,
 * so every attempt of a delivery is signed over the same bytes.
 */
export function webhookFanOutJob(store: Store, deliveriesWritten: () => void): JobHandler {
  return async (job) => {
    const type = eventType(job);
    const endpoints = (await store.webhooks.endpoints()).filter((e) => e.disabledAt === null && e.events.includes(type));
    if (endpoints.length === 0) return;
    const details = ((job.payload as { details?: unknown }).details ?? {}) as Record<string, unknown>;
    const data = await webhookEventData(store, type, job.subjectId, details);
    if (data === undefined) return;
    const body = JSON.stringify({ type, timestamp: job.createdAt, data });
    await store.webhooks.createDeliveries(
      endpoints.map((endpoint) => ({ id: deliveryIdOf(job.id, endpoint.id), endpointId: endpoint.id, eventType: type, payload: body })),
      DELIVERY_JOB_KIND,
    );
    deliveriesWritten();
  };
}
