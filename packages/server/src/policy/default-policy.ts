import type { PolicyDocument } from './policy.schema.js';

/**
 * Covers the roles of every system Switchboard replaces: GuzoSync (BUS_DRIVER, QUEUE_REGULATOR,
 * CONTROL_STAFF, CONTROL_ADMIN), the support desk (customer, restaurant_owner, driver, support,
 * admin), StepperGO trips (DRIVER, ORGANIZER, PASSENGER) and MoreVans (customer, provider, admin).
 */
export const DEFAULT_POLICY: PolicyDocument = {
  roles: {
    BUS_DRIVER: { abilities: ['support.create'], can_start_with: ['CONTROL_STAFF', 'CONTROL_ADMIN'] },
    QUEUE_REGULATOR: { abilities: ['support.create'], can_start_with: ['CONTROL_STAFF', 'CONTROL_ADMIN'] },
    CONTROL_STAFF: { abilities: ['conversations.create', 'support.monitor', 'support.handle'] },
    CONTROL_ADMIN: {
      abilities: ['conversations.create', 'conversations.monitor', 'conversations.manage', 'support.monitor', 'support.handle', 'messages.moderate', 'users.manage'],
    },
    customer: { abilities: ['conversations.create', 'support.create'] },
    restaurant_owner: { abilities: ['conversations.create', 'support.create'] },
    driver: { abilities: ['conversations.create', 'support.create'] },
    provider: { abilities: ['conversations.create', 'support.create'] },
    support: { abilities: ['conversations.create', 'support.monitor', 'support.handle'] },
    admin: {
      abilities: ['conversations.create', 'conversations.monitor', 'conversations.manage', 'support.monitor', 'support.handle', 'messages.moderate', 'users.manage'],
    },
    DRIVER: { abilities: ['conversations.create', 'support.create'] },
    ORGANIZER: { abilities: ['conversations.create', 'support.create'] },
    PASSENGER: { abilities: ['conversations.create', 'support.create'] },
  },
  default_role: { abilities: [] },
  support: {
    queues: {
      general_support: { assignment: 'manual' },
      driver_support: { assignment: 'manual' },
      regulator_support: { assignment: 'manual' },
      emergency_support: { assignment: 'manual' },
    },
    agent_capacity: 5,
    offline_grace_seconds: 30,
  },
};
