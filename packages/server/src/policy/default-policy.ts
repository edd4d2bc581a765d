import type { Ability } from './abilities.js';
import type { PolicyDocument, RoleRulesDocument } from './policy.schema.js';

/** Each seed system's own people: its staff start conversations only with them. */
const GUZOSYNC = ['BUS_DRIVER', 'QUEUE_REGULATOR', 'CONTROL_STAFF', 'CONTROL_ADMIN'];
const SUPPORT_DESK = ['customer', 'restaurant_owner', 'driver', 'support', 'admin'];
const STEPPERGO = ['DRIVER', 'ORGANIZER', 'PASSENGER', 'STEPPERGO_ADMIN'];
const MOREVANS = ['morevans_customer', 'provider', 'morevans_support', 'morevans_admin'];

const GUZOSYNC_QUEUES = ['general_support', 'driver_support', 'regulator_support', 'emergency_support'];

/** Someone who opens cases in `queues` (the first by default) and talks only within `system`. */
const requester = (system: string[], queues: string[], abilities: Ability[] = ['conversations.create', 'support.create']): RoleRulesDocument => ({
  abilities,
  can_start_with: system,
  support_queues: queues,
});

/** Someone who takes cases (a queue's `staff_roles` names which) and talks only within `system`. */
const staff = (system: string[], extra: Ability[] = []): RoleRulesDocument => ({
  abilities: ['conversations.create', 'support.monitor', 'support.handle', ...extra],
  can_start_with: system,
});

/**
 * Covers the roles of every system Switchboard replaces and keeps them apart: each system's
 * people open cases in that system's queues, and only that system's staff (the queue's
 * `staff_roles`) see, watch, take or are added to them; staff start conversations only within
 * their system.
 *
 * - GuzoSync: BUS_DRIVER, QUEUE_REGULATOR; staff CONTROL_STAFF, CONTROL_ADMIN; queues
 *   `general_support`, `driver_support`, `regulator_support`, `emergency_support` (its room types).
 * - Support desk: customer, restaurant_owner, driver; staff support, admin; queue `desk_support`.
 * - StepperGO: DRIVER, ORGANIZER, PASSENGER; staff STEPPERGO_ADMIN; queue `trip_support`.
 * - MoreVans: morevans_customer, provider; staff morevans_support, morevans_admin; queue
 *   `morevans_support`. MoreVans also says `customer` and `admin`, which the support desk says
 *   first: one policy cannot tell two systems' `customer` apart, so MoreVans' get their own words
 *   here (a deployment serving MoreVans alone uses a policy file with its own words).
 *
 * What reaches across systems (reading any conversation, managing any conversation or user) is
 * no seed role's: host apps do it with an API key, and `operator` is the deployment's own role.
 */
export const DEFAULT_POLICY: PolicyDocument = {
  roles: {
    BUS_DRIVER: requester(['CONTROL_STAFF', 'CONTROL_ADMIN'], ['driver_support', 'general_support', 'emergency_support'], ['support.create']),
    QUEUE_REGULATOR: requester(['CONTROL_STAFF', 'CONTROL_ADMIN'], ['regulator_support', 'general_support', 'emergency_support'], ['support.create']),
    CONTROL_STAFF: staff(GUZOSYNC),
    CONTROL_ADMIN: staff(GUZOSYNC, ['messages.moderate']),
    customer: requester(SUPPORT_DESK, ['desk_support']),
    restaurant_owner: requester(SUPPORT_DESK, ['desk_support']),
    driver: requester(SUPPORT_DESK, ['desk_support']),
    support: staff(SUPPORT_DESK),
    admin: staff(SUPPORT_DESK, ['messages.moderate']),
    DRIVER: requester(STEPPERGO, ['trip_support']),
    ORGANIZER: requester(STEPPERGO, ['trip_support']),
    PASSENGER: requester(STEPPERGO, ['trip_support']),
    STEPPERGO_ADMIN: staff(STEPPERGO, ['messages.moderate']),
    morevans_customer: requester(MOREVANS, ['morevans_support']),
    provider: requester(MOREVANS, ['morevans_support']),
    morevans_support: staff(MOREVANS),
    morevans_admin: staff(MOREVANS, ['messages.moderate']),
    operator: { abilities: ['conversations.create', 'conversations.monitor', 'conversations.manage', 'messages.moderate', 'users.manage'] },
  },
  default_role: { abilities: [] },
  support: {
    queues: {
      ...Object.fromEntries(GUZOSYNC_QUEUES.map((q) => [q, { assignment: 'manual', staff_roles: ['CONTROL_STAFF', 'CONTROL_ADMIN'] }])),
      desk_support: { assignment: 'manual', staff_roles: ['support', 'admin'] },
      trip_support: { assignment: 'manual', staff_roles: ['STEPPERGO_ADMIN'] },
      morevans_support: { assignment: 'manual', staff_roles: ['morevans_support', 'morevans_admin'] },
    },
    agent_capacity: 5,
    offline_grace_seconds: 30,
  },
  notifications: {
    escalation: {
      // A customer who left the page: a push soon, an email if it is still unread.
      support: [{ after: '10s', channel: 'push' }, { after: '3m', channel: 'email' }],
      // A driver's emergency: a loud push at once, then the host app texts or calls if it did not arrive.
      emergency_support: [
        { after: '0s', channel: 'push', urgency: 'high', until: 'delivered' },
        { after: '60s', channel: 'sms_webhook', urgency: 'high', until: 'delivered' },
      ],
      // A passenger offline before a trip: a push, then an email.
      trip: [{ after: '30s', channel: 'push' }, { after: '5m', channel: 'email' }],
    },
  },
};
