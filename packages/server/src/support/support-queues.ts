import type { Policy } from '../policy/policy.js';
import type { AssignmentStrategy } from '../policy/policy.schema.js';

/** The queue every case is also announced to. */
export const GENERAL_QUEUE = 'general_support';

/** Role-specific queues a case goes to by its creator's role, when that queue exists. */
const ROLE_QUEUES: Readonly<Record<string, string>> = {
  BUS_DRIVER: 'driver_support',
  driver: 'driver_support',
  DRIVER: 'driver_support',
  QUEUE_REGULATOR: 'regulator_support',
};

/** The configured support queues (policy file `support.queues`), and who staffs them. */
export class SupportQueues {
  constructor(private readonly policy: Policy) {}

  get names(): string[] {
    return Object.keys(this.policy.support.queues);
  }

  has(name: string): boolean {
    return Object.hasOwn(this.policy.support.queues, name);
  }

  assignment(queue: string): AssignmentStrategy {
    return this.policy.support.queues[queue]?.assignment ?? 'manual';
  }

  /** Roles whose holders take cases from the queue. */
  staffRoles(queue: string): string[] {
    return this.policy.support.queues[queue]?.staff_roles ?? this.policy.rolesWith('support.handle');
  }

  /** The queue a new case belongs to: the one asked for if it exists, else by role, else general. */
  queueFor(roles: readonly string[], requested?: string): string {
    if (requested !== undefined && this.has(requested)) return requested;
    for (const role of roles) {
      const queue = ROLE_QUEUES[role];
      if (queue !== undefined && this.has(queue)) return queue;
    }
    return this.has(GENERAL_QUEUE) ? GENERAL_QUEUE : this.names[0]!;
  }

  /** Where a case is announced: the general queue and its own. */
  announceTo(queue: string): string[] {
    return [...new Set([GENERAL_QUEUE, queue])].filter((q) => this.has(q));
  }
}
