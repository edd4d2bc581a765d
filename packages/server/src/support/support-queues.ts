/** The support queues every deployment has; `general_support` sees every case. */
export const SUPPORT_QUEUES = ['general_support', 'driver_support', 'regulator_support', 'emergency_support'] as const;
export type SupportQueue = (typeof SUPPORT_QUEUES)[number];

export const GENERAL_QUEUE: SupportQueue = 'general_support';

/** Role-specific queues a case is also announced to, by the creator's role. */
const ROLE_QUEUES: Readonly<Record<string, SupportQueue>> = {
  BUS_DRIVER: 'driver_support',
  driver: 'driver_support',
  DRIVER: 'driver_support',
  QUEUE_REGULATOR: 'regulator_support',
};

export function isSupportQueue(value: string): value is SupportQueue {
  return (SUPPORT_QUEUES as readonly string[]).includes(value);
}

/** The queue a new case belongs to: emergency when asked, else by role, else general. */
export function queueFor(roles: readonly string[], requested?: string): SupportQueue {
  if (requested !== undefined && isSupportQueue(requested)) return requested;
  for (const role of roles) {
    const queue = ROLE_QUEUES[role];
    if (queue) return queue;
  }
  return GENERAL_QUEUE;
}
