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

export const PolicyDocumentSchema = Type.Object(
  {
    roles: Type.Record(Type.String({ minLength: 1 }), RoleRules),
    /** Applies to roles the file does not name. */
    default_role: Type.Optional(RoleRules),
    /** Support queues and how cases are assigned. */
    support: Type.Optional(SupportRules),
  },
  { additionalProperties: false },
);

export type SupportRulesDocument = Static<typeof SupportRules>;

export type PolicyDocument = Static<typeof PolicyDocumentSchema>;
export type RoleRulesDocument = Static<typeof RoleRules>;
