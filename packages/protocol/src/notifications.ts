import { Type, type Static } from 'typebox';

/** Notifications' wire shapes: the feed, push subscriptions and preferences (docs/notifications.md). */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** One feed entry: a recipient's missed messages of one conversation, one batch. */
export const NotificationJson = Type.Object({
  id: Type.String(),
  conversation_id: Type.String(),
  from_seq: Type.Integer({ description: 'Seq of the batch’s first message' }),
  to_seq: Type.Integer({ description: 'Seq of its newest message' }),
  message_count: Type.Integer(),
  last_message_id: Type.String(),
  escalating: Type.Boolean({ description: 'Whether later steps (push, email, SMS) may still fire' }),
  read_at: Nullable(Type.String()),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export type NotificationJson = Static<typeof NotificationJson>;

export const NotificationReadBody = Type.Union(
  [
    Type.Object({ ids: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 500 }) }, { additionalProperties: false }),
    Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
  ],
  { description: '{"ids": [...]} or {"all": true}' },
);

const Base64Url = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '^[A-Za-z0-9_-]+={0,2}$' });

export const PushSubscriptionBody = Type.Object(
  {
    endpoint: Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://', description: 'The push service URL the browser gave' }),
    keys: Type.Object({ p256dh: Base64Url(200), auth: Base64Url(100) }, { additionalProperties: false }),
    device_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type PushSubscriptionBody = Static<typeof PushSubscriptionBody>;

export const PushSubscriptionJson = Type.Object({ endpoint: Type.String(), device_id: Nullable(Type.String()), created_at: Type.String() });

const ClockTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, 24-hour' });

export const QuietHoursJson = Type.Object(
  { start: ClockTime, end: ClockTime, time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone; default UTC' })) },
  { additionalProperties: false },
);

export const EmailMode = Type.Union([Type.Literal('immediate'), Type.Literal('digest'), Type.Literal('off')]);

export const NotificationSettingsBody = Type.Object(
  {
    push: Type.Boolean(),
    email: EmailMode,
    quiet_hours: Type.Optional(Nullable(QuietHoursJson)),
    muted_conversations: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000 }),
  },
  { additionalProperties: false },
);
export type NotificationSettingsBody = Static<typeof NotificationSettingsBody>;

export const NotificationSettingsJson = Type.Object({
  push: Type.Boolean(),
  email: EmailMode,
  quiet_hours: Nullable(Type.Object({ start: Type.String(), end: Type.String(), time_zone: Type.String() })),
  muted_conversations: Type.Array(Type.String()),
  updated_at: Nullable(Type.String()),
});
export type NotificationSettingsJson = Static<typeof NotificationSettingsJson>;
