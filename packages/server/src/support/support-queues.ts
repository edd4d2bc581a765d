import type { Actor } from '../core/actor.js';
import type { Policy, QueueAccess } from '../policy/policy.js';
import type { AssignmentStrategy } from '../policy/policy.schema.js';

/** The queue a case also goes to when its watchers may read it (GuzoSync's "all support requests"). */
export const GENERAL_QUEUE = 'general_support';

/**
 * The configured support queues (policy file `support.queues`) and who staffs them. Staffing is
 * the policy's (`Policy.queueAccess`): a queue's cases reach only holders of its staff roles.
 */
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

  /** Roles whose holders staff the queue. */
  staffRoles(queue: string): string[] {
    return this.policy.queueStaff(queue);
  }

  /** What the actor may do with the queue's cases; a host app's backend does everything. */
  accessOf(actor: Actor, queue: string): QueueAccess {
    if (actor.kind === 'service') return this.has(queue) ? 'handle' : 'none';
    return this.policy.queueAccess(actor.user.roles, queue);
  }

  /** The queues whose cases the actor may read (and watch). */
  staffedBy(actor: Actor): string[] {
    return this.names.filter((q) => this.accessOf(actor, q) !== 'none');
  }

  /**
   * The queue a new case of these roles belongs to: the one asked for when the roles open cases
   * there, else their first queue. Roles that name no queues may use any (else the general one).
   */
  queueFor(roles: readonly string[], requested?: string): string {
    const allowed = this.policy.caseQueues(roles)?.filter((q) => this.has(q));
    if (allowed !== undefined && allowed.length > 0) return requested !== undefined && allowed.includes(requested) ? requested : allowed[0]!;
    if (requested !== undefined && this.has(requested)) return requested;
    return this.has(GENERAL_QUEUE) ? GENERAL_QUEUE : this.names[0]!;
  }

  /**
   * Where a case of the queue is announced: its own queue, and the general one when everyone
   * who watches that may also read the case. A case is never announced to watchers who would
   * be told "not found" on opening it.
   */
  announceTo(queue: string): string[] {
    const own = this.staffRoles(queue);
    const general = GENERAL_QUEUE !== queue && this.has(GENERAL_QUEUE) && this.staffRoles(GENERAL_QUEUE).every((r) => own.includes(r));
    return general ? [GENERAL_QUEUE, queue] : [queue];
  }

  /**
   * The one queue whose announcements carry every case the actor staffs, for transports with a
   * single agents' feed: the queue all their other queues announce to, else their first.
   */
  feedFor(actor: Actor): string | undefined {
    const staffed = this.staffedBy(actor);
    return staffed.find((feed) => staffed.every((q) => this.announceTo(q).includes(feed))) ?? staffed[0];
  }
}
