import { Type, type Static } from 'typebox';
import { ABILITIES, type Ability } from './abilities.js';

const QueueName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_]+$' });

const RoleRules = Type.Object(
  {
    abilities: Type.Array(Type.Unsafe<Ability>({ type: 'string', enum: [...ABILITIES] })),
    /** When present, conversations this role starts may include only users holding one of these roles. */
    can_start_with: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    /**
     * The support queues this role opens cases in; the first is where a case goes when none is
     * asked for. Absent: any queue (a case asked for an unknown one goes to `general_support`).
     */
    support_queues: Type.Optional(Type.Array(QueueName, { minItems: 1 })),
  },
  { additionalProperties: false },
);

export const ASSIGNMENT_STRATEGIES = ['manual', 'round_robin', 'least_loaded'] as const;
export type AssignmentStrategy = (typeof ASSIGNMENT_STRATEGIES)[number];

const QueueRules = Type.Object(
  {
    /** How waiting cases find an agent. @default "manual" */
    assignment: Type.Optional(Type.Unsafe<AssignmentStrategy>({ type: 'string', enum: [...ASSIGNMENT_STRATEGIES] })),
    /**
     * Roles that staff this queue: only their holders see, watch, accept or are added to its
     * cases (reading needs `support.monitor` or `support.handle` as well, taking them
     * `support.handle`). Absent: every role the file grants `support.handle` or `support.monitor`.
     */
    staff_roles: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  },
  { additionalProperties: false },
);

const SupportRules = Type.Object(
  {
    queues: Type.Record(QueueName, QueueRules),
    /** Active cases an agent holds at most, unless their profile says `support_capacity`. @default 5 */
    agent_capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    /** Seconds an agent who disconnected still counts as online for assignment. @default 30 */
    offline_grace_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
  },
  { additionalProperties: false },
);

const EscalationStepRule = Type.Object(
  {
    /** Delay after the batch's first message: `0s`, `500ms`, `10s`, `3m`, `1h`. */
    after: Type.String({ pattern: '^[0-9]{1,9}(ms|s|m|h)$' }),
    channel: Type.Union([Type.Literal('push'), Type.Literal('email'), Type.Literal('sms_webhook')]),
    /** `high`: an emergency step, which fires in muted conversations and in quiet hours. @default "normal" */
    urgency: Type.Optional(Type.Union([Type.Literal('normal'), Type.Literal('high')])),
    /** The step fires only while the recipient's pointer of this kind is still behind. @default "read" */
    until: Type.Optional(Type.Union([Type.Literal('delivered'), Type.Literal('read')])),
  },
  { additionalProperties: false },
);

const NotificationRules = Type.Object(
  {
    /**
     * Escalation steps by support queue or conversation type (a support case's queue first, then
     * its type); `NOTIFICATION_STEPS` for the rest. An empty list: no escalation.
     */
    escalation: Type.Record(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_]+$' }), Type.Array(EscalationStepRule, { maxItems: 10 })),
  },
  { additionalProperties: false },
);

export const PolicyDocumentSchema = Type.Object(
  {
    roles: Type.Record(Type.String({ minLength: 1 }), RoleRules),
    /** Applies to roles the file does not name. */
    default_role: Type.Optional(RoleRules),
    /** Support queues and how cases are assigned. */
    support: Type.Optional(SupportRules),
    /** Delivery escalation (docs/notifications.md). */
    notifications: Type.Optional(NotificationRules),
  },
  { additionalProperties: false },
);

export type SupportRulesDocument = Static<typeof SupportRules>;

export type EscalationStepRule = Static<typeof EscalationStepRule>;
export type NotificationRulesDocument = Static<typeof NotificationRules>;

export type PolicyDocument = Static<typeof PolicyDocumentSchema>;
export type RoleRulesDocument = Static<typeof RoleRules>;
