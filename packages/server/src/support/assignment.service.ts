import { NO_CHANGE_JOBS, type ChangeJobs } from '../jobs/change-jobs.js';
import type { Logger } from 'pino';
import type { User } from '../core/model.js';
import type { Policy } from '../policy/policy.js';
import type { AssignmentStrategy } from '../policy/policy.schema.js';
import type { PresenceTracker } from '../realtime/presence.js';
import type { CaseChange, Store, SupportCase } from '../storage/store.js';
import type { SupportQueues } from './support-queues.js';

/** Called once per automatic assignment, committed with its note, to announce it. */
export type AssignedListener = (assigned: CaseChange & { agentJoined: boolean }, agent: User) => Promise<void>;

interface Candidate {
  readonly agent: User;
  readonly active: number;
  readonly capacity: number;
}

/**
 * Automatic assignment for queues configured `round_robin` or `least_loaded`: the oldest waiting
 * cases of the highest priority go to agents who are online (or left less than the grace period
 * ago) and under their capacity. Claims are atomic in the store, so nodes draining the same queue
 * never hand one case to two agents. Drains of one queue run one at a time on a node.
 */
export class AssignmentService {
  private readonly running = new Map<string, Promise<void>>();
  private readonly lastAssigned = new Map<string, string>();
  private listener: AssignedListener = async () => {};

  constructor(
    private readonly store: Store,
    private readonly presence: PresenceTracker,
    private readonly policy: Policy,
    private readonly queues: SupportQueues,
    private readonly logger: Pick<Logger, 'warn'>,
    /** The outbox jobs an assignment owes (its `support_case.updated` event). */
    private readonly changes: ChangeJobs = NO_CHANGE_JOBS,
  ) {}

  onAssigned(listener: AssignedListener): void {
    this.listener = listener;
  }

  /** Assigns as many waiting cases of the queue as eligible agents can take. */
  drain(queue: string): Promise<void> {
    const strategy = this.queues.assignment(queue);
    if (strategy === 'manual') return Promise.resolve();
    const previous = this.running.get(queue) ?? Promise.resolve();
    // A failed drain leaves cases waiting for the next trigger (a new case, a freed agent, a connect).
    const next = previous.then(() => this.drainNow(queue, strategy)).catch((err: unknown) => this.logger.warn({ err, queue }, 'assignment: draining the queue failed; cases stay waiting'));
    this.running.set(queue, next);
    void next.finally(() => {
      if (this.running.get(queue) === next) this.running.delete(queue);
    });
    return next;
  }

  /** Capacity freed or an agent came online: drain every automatic queue the agent staffs. */
  async drainFor(agentId: string): Promise<void> {
    // Every connect comes here (an agent coming online): with only manual queues, which is the
    // default, there is nothing to drain and no reason to read the user.
    const automatic = this.queues.names.filter((queue) => this.queues.assignment(queue) !== 'manual');
    if (automatic.length === 0) return;
    const agent = await this.store.users.byId(agentId);
    if (!agent) return;
    for (const queue of automatic) {
      if (this.queues.staffRoles(queue).some((r) => agent.roles.includes(r))) await this.drain(queue);
    }
  }

  private async drainNow(queue: string, strategy: Exclude<AssignmentStrategy, 'manual'>): Promise<void> {
    const backlog = await this.store.cases.backlog(queue, 100);
    if (backlog.length === 0) return;
    const candidates = await this.candidates(queue);
    // The turn lives in the store, so cases opened on different nodes still go round in turn.
    const shared = strategy === 'round_robin' ? await this.store.cases.lastAssignedAgent(queue) : undefined;
    if (shared !== undefined) this.lastAssigned.set(queue, shared);
    for (const supportCase of backlog) {
      const free = candidates.filter((c) => c.active < c.capacity);
      const chosen = strategy === 'round_robin' ? this.nextInTurn(queue, free) : leastLoaded(free);
      if (!chosen) return;
      const reason = strategy === 'round_robin' ? 'round_robin' : `least_loaded: ${chosen.active} of ${chosen.capacity} active`;
      const note = { content: `Assigned to ${chosen.agent.displayName} (${reason})`, metadata: { support_change: 'assigned' } };
      const assigned = await this.store.cases.assign(supportCase.conversationId, chosen.agent.id, reason, { from: ['waiting'], onlyUnassigned: true, note, jobs: this.changes.for({ type: 'support_case.updated', subjectId: supportCase.conversationId }) });
      if (!assigned) continue;
      this.lastAssigned.set(queue, chosen.agent.id);
      (chosen as { active: number }).active++;
      await this.listener(assigned, chosen.agent);
    }
  }

  private async candidates(queue: string): Promise<Candidate[]> {
    const agents = (await this.store.users.withRoles(this.queues.staffRoles(queue))).filter((a) => this.policy.can({ kind: 'user', roles: a.roles }, 'support.handle'));
    const presence = await this.presence.get(agents.map((a) => a.id));
    const graceMs = this.policy.support.offline_grace_seconds * 1000;
    const now = Date.now();
    const available = agents.filter((a, i) => {
      const state = presence[i]!;
      return state.status === 'online' || (state.lastSeenAt !== null && now - Date.parse(state.lastSeenAt) <= graceMs);
    });
    const counts = await this.store.cases.activeCounts(available.map((a) => a.id));
    return available
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((agent) => ({ agent, active: counts.get(agent.id) ?? 0, capacity: capacityOf(agent, this.policy.support.agent_capacity) }));
  }

  /** The first free agent after the one who got the last case, wrapping around. */
  private nextInTurn(queue: string, free: Candidate[]): Candidate | undefined {
    if (free.length === 0) return undefined;
    const last = this.lastAssigned.get(queue);
    return free.find((c) => last === undefined || c.agent.id > last) ?? free[0];
  }
}

function leastLoaded(free: Candidate[]): Candidate | undefined {
  return free.reduce<Candidate | undefined>((best, c) => (best === undefined || c.active < best.active ? c : best), undefined);
}

/** Per-agent capacity from the profile (`support_capacity`), else the default. */
function capacityOf(agent: User, fallback: number): number {
  const value = agent.profile.support_capacity;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}
