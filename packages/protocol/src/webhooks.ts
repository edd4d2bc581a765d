import { Type, type Static } from 'typebox';

/** Webhooks' wire shapes (`/v1/webhooks/*`) and the pre-send hook's answer. */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** Every event an endpoint may subscribe to; `type` of a delivered body. */
export const WEBHOOK_EVENT_TYPES = [
  'message.created',
  'message.updated',
  'message.deleted',
  'message.hidden',
  'conversation.created',
  'conversation.closed',
  'participant.added',
  'participant.removed',
  'support_case.updated',
  'report.created',
  'rating.given',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WebhookEventTypeJson = Type.Union([
  Type.Literal('message.created'),
  Type.Literal('message.updated'),
  Type.Literal('message.deleted'),
  Type.Literal('message.hidden'),
  Type.Literal('conversation.created'),
  Type.Literal('conversation.closed'),
  Type.Literal('participant.added'),
  Type.Literal('participant.removed'),
  Type.Literal('support_case.updated'),
  Type.Literal('report.created'),
  Type.Literal('rating.given'),
]);

export const WebhookEndpointJson = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(WebhookEventTypeJson),
  description: Nullable(Type.String()),
  disabled: Type.Boolean({ description: 'Disabled endpoints receive nothing; a 410 answer or five days of failures disables one' }),
  disabled_reason: Nullable(Type.String()),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export type WebhookEndpointJson = Static<typeof WebhookEndpointJson>;

export const WebhookDeliveryStatus = Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]);

export const WebhookDeliveryJson = Type.Object({
  id: Type.String({ description: 'The webhook-id header: the same on every attempt' }),
  endpoint_id: Type.String(),
  event_type: WebhookEventTypeJson,
  status: WebhookDeliveryStatus,
  attempts: Type.Integer(),
  next_attempt_at: Nullable(Type.String()),
  last_status_code: Nullable(Type.Integer({ description: 'HTTP status of the last attempt; null when it got no answer' })),
  last_error: Nullable(Type.String()),
  created_at: Type.String(),
  delivered_at: Nullable(Type.String()),
  payload: Type.Unknown({ description: 'The body sent: {type, timestamp, data}' }),
});
export type WebhookDeliveryJson = Static<typeof WebhookDeliveryJson>;

/** What the pre-send hook answers; anything else counts as the hook failing. */
export const PreSendHookAnswer = Type.Object({
  action: Type.Union([Type.Literal('allow'), Type.Literal('reject'), Type.Literal('modify')]),
  content: Type.Optional(Type.String()),
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
});
export type PreSendHookAnswer = Static<typeof PreSendHookAnswer>;
