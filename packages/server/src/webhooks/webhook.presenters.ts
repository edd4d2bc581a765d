import type { WebhookDeliveryJson, WebhookEndpointJson, WebhookEventType } from '@switchboard/protocol';
import type { WebhookDelivery, WebhookEndpoint } from '../storage/store.js';

/** Model → v1 JSON. The secret is never part of an endpoint's JSON; create and rotate answer it apart. */
export function presentEndpoint(e: WebhookEndpoint): WebhookEndpointJson {
  return {
    id: e.id,
    url: e.url,
    events: e.events as WebhookEventType[],
    description: e.description,
    disabled: e.disabledAt !== null,
    disabled_reason: e.disabledReason,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  };
}

export function presentDelivery(d: WebhookDelivery): WebhookDeliveryJson {
  return {
    id: d.id,
    endpoint_id: d.endpointId,
    event_type: d.eventType as WebhookEventType,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === 'pending' ? d.nextAttemptAt : null,
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    created_at: d.createdAt,
    delivered_at: d.deliveredAt,
    payload: JSON.parse(d.payload) as unknown,
  };
}
