import { NO_CHANGE_JOBS, type ChangeJobs } from '../jobs/change-jobs.js';
import type { ModerationService } from '../moderation/moderation.service.js';
import { visibleTo } from '../core/message-visibility.js';
import type { Actor, UserActor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import type { Conversation, ConversationContext, Message, User } from '../core/model.js';
import type { AfterCommitPublisher } from '../messages/after-commit-publisher.js';
import { topics, type SupportChange } from '../bus/domain-event.js';
import { publishParticipantAdded } from '../conversations/participant-events.js';
import type { ConversationAccess } from '../conversations/conversation-access.js';
import type { SendRateLimit } from '../limits/send-rate-limit.js';
import type { MessageService } from '../messages/message.service.js';
import type { Policy } from '../policy/policy.js';
import type { CaseChange, CaseNote, CasePriority, CaseStatus, Store, SupportCase } from '../storage/store.js';
import type { AssignmentService } from './assignment.service.js';
import type { ConversationService } from '../conversations/conversation.service.js';
import { actionFor, TRANSITIONS } from './case-lifecycle.js';
import type { SupportQueues } from './support-queues.js';

export interface OpenCaseInput {
  readonly subject: string;
  /** The first message; optional for REST-created sessions. */
  readonly content?: string;
  readonly queue?: string;
  readonly priority?: CasePriority;
  readonly category?: string | null;
  /** Host objects the case is about (ticket, restaurant, trip…), kept as metadata. */
  readonly links?: Readonly<Record<string, string>>;
  readonly context?: ConversationContext | null;
  /** Title of the conversation; defaults to the subject. */
  readonly title?: string;
  /** Make every staff member of the queue a participant at once (GuzoSync's model). */
  readonly addAllStaff?: boolean;
  readonly clientId?: string;
}

export interface OpenCaseResult {
  readonly conversation: Conversation;
  readonly supportCase: SupportCase;
  readonly firstMessage: Message | undefined;
  readonly staff: readonly User[];
}

/** Support cases: conversations with a queue, a lifecycle, an agent and SLA timestamps. */
export class SupportService {
  constructor(
    private readonly store: Store,
    /** Every event here reports a committed change, so none may fail the call. */
    private readonly bus: AfterCommitPublisher,
    private readonly policy: Policy,
    private readonly access: ConversationAccess,
    private readonly messages: MessageService,
    private readonly rateLimit: SendRateLimit,
    readonly queues: SupportQueues,
    private readonly assignment: AssignmentService,
    private readonly conversations: ConversationService,
    private readonly moderation: Pick<ModerationService, 'checkOpening'>,
    /** The outbox jobs each case change owes (webhook events). */
    private readonly changes: ChangeJobs = NO_CHANGE_JOBS,
  ) {}

  /** What a change to the case owes: its `support_case.updated` event, and any others named. */
  private owed(caseId: string, ...others: string[]) {
    return ['support_case.updated', ...others].flatMap((type) => this.changes.for({ type, subjectId: caseId }));
  }

  /**
   * Closes a conversation from a protocol that only knows conversations (GuzoSync's close): a
   * support case closes through its lifecycle, so the case and its conversation never disagree.
   */
  async closeConversation(actor: Actor, conversationId: string): Promise<Conversation> {
    // Either path checks access first, so a stranger learns nothing of whether it is a case.
    if (!(await this.store.cases.byConversation(conversationId))) return this.conversations.close(actor, conversationId);
    await this.setStatus(actor, conversationId, 'closed');
    return (await this.access.read(actor, conversationId)).conversation;
  }

  /** Opens a case; its conversation, participants, first message and case row commit together. */
  async open(actor: Actor, input: OpenCaseInput): Promise<OpenCaseResult> {
    const user = requireUser(actor);
    if (!this.policy.can({ kind: 'user', roles: user.user.roles }, 'support.create')) throw new AppError('forbidden', 'Your role may not open support cases');
    const queue = this.queues.queueFor(user.user.roles, input.queue);
    // Only the queue's own staff who take cases: never another system's agents (the policy's staff_roles).
    const staff = input.addAllStaff ? (await this.store.users.withRoles(this.queues.staffRoles(queue))).filter((u) => u.id !== user.user.id && this.policy.queueAccess(u.roles, queue) === 'handle') : [];
    if (input.addAllStaff && staff.length === 0) throw new AppError('no_staff_available');
    if (input.content !== undefined) this.messages.checkContent(input.content, 'text', false);
    const opening = input.content === undefined ? undefined : await this.moderation.checkOpening(user, input.content);
    if (input.content !== undefined) await this.rateLimit.consume(user.user.id);
    const { conversation, supportCase, message } = await this.store.cases.open(
      {
        type: 'support',
        context: input.context ?? null,
        title: input.title ?? input.subject,
        metadata: { queue, creator_role: user.user.roles[0] ?? null, ...(input.links && { links: input.links }) },
        createdBy: user.user.id,
        participants: [{ userId: user.user.id, role: 'requester' }, ...staff.map((u) => ({ userId: u.id, role: 'staff' }))],
        jobs: (id) => [...this.changes.for({ type: 'conversation.created', subjectId: id }), ...this.owed(id)],
      },
      { queue, priority: input.priority ?? 'medium', category: input.category ?? null, subject: input.subject, requesterId: user.user.id },
      opening === undefined
        ? undefined
        : {
            senderId: user.user.id,
            kind: 'text',
            content: opening.content,
            clientId: input.clientId ?? null,
            ...(opening.shadowed && { shadowed: true }),
            // The opening request owes what any message owes (its webhook event).
            ...this.messages.jobsFor({ id: '', type: 'support', status: 'waiting', createdBy: user.user.id, slowModeSeconds: 0 }, { senderId: user.user.id, kind: 'text' }),
          },
    );
    // A shadowed request reaches its sender whole and everyone else as a tombstone.
    const seenBy = (userId: string | undefined) => message && visibleTo(message, { userId, moderator: false });
    if (message) await this.bus.publish(topics.conversation(conversation.id), { type: 'message.created', conversationId: conversation.id, message, ...(message.shadowed && { onlyTo: [user.user.id] }) });
    // Announced after everything commits, so whoever hears of the case can read it.
    const participantIds = [user.user.id, ...staff.map((u) => u.id)];
    await Promise.all(
      participantIds.map((id) => {
        const firstMessage = seenBy(id);
        return this.bus.publish(topics.user(id), { type: 'conversation.created', conversation, participantIds, ...(firstMessage && { firstMessage }) });
      }),
    );
    const creator = { id: user.user.id, name: user.user.displayName, role: user.user.roles[0] ?? null };
    for (const q of this.queues.announceTo(queue)) {
      await this.bus.publish(topics.queue(q), { type: 'support.case_opened', queue: q, conversation, creator, firstMessage: seenBy(undefined) ?? null });
    }
    await this.assignment.drain(queue);
    return { conversation, supportCase: (await this.store.cases.byConversation(conversation.id))!, firstMessage: seenBy(user.user.id), staff };
  }

  async get(actor: Actor, caseId: string): Promise<{ supportCase: SupportCase; conversation: Conversation }> {
    const { conversation } = await this.access.read(actor, caseId);
    const supportCase = await this.store.cases.byConversation(caseId);
    if (!supportCase) throw new AppError('not_found', 'Not a support case');
    return { supportCase, conversation };
  }

  /** Staff see the cases of the queues they staff (filtered); everyone else sees the cases they opened. */
  async list(actor: Actor, query: { queue?: string; statuses?: CaseStatus[]; mine?: boolean; limit: number; offset?: number }): Promise<SupportCase[]> {
    const staffed = this.queues.staffedBy(actor);
    const staff = staffed.length > 0;
    const queues = query.queue === undefined ? staffed : staffed.filter((q) => q === query.queue);
    if (staff && queues.length === 0) return [];
    const userId = actor.kind === 'user' ? actor.user.id : undefined;
    return this.store.cases.list({
      ...(staff ? { queues } : query.queue !== undefined && { queue: query.queue }),
      ...(query.statuses !== undefined && { statuses: query.statuses }),
      ...(!staff && { requesterId: userId! }),
      ...(staff && query.mine && userId !== undefined && { agentId: userId }),
      limit: query.limit,
      ...(query.offset !== undefined && { offset: query.offset }),
    });
  }

  /**
   * An agent claims a waiting case; of two agents at once exactly one wins. The winner asking
   * again (a retry after a lost answer) gets the case as it is, not a conflict.
   */
  async accept(actor: Actor, caseId: string): Promise<SupportCase> {
    const agent = this.requireHandler(actor);
    const { supportCase: current } = await this.get(actor, caseId);
    this.requireQueueHandler(actor, current);
    if (current.status === 'active' && current.assignedAgentId === agent.user.id) return current;
    const note = caseNote(`${agent.user.displayName} accepted the chat`, 'accepted');
    const claimed = await this.store.cases.assign(caseId, agent.user.id, `accepted by ${agent.user.displayName}`, { from: TRANSITIONS.accept.from, onlyUnassigned: true, note, jobs: this.owed(caseId) });
    if (!claimed) {
      const now = await this.store.cases.byConversation(caseId);
      if (now?.status === 'active' && now.assignedAgentId === agent.user.id) return now;
      throw new AppError('case_already_accepted');
    }
    await this.announceAssignment(claimed, 'accepted', agent.user.id, agent.user);
    return claimed.supportCase;
  }

  /** Staff assign a case to an agent, or transfer it to another queue. */
  async assign(actor: Actor, caseId: string, input: { agentId?: string; queue?: string; reason?: string }): Promise<SupportCase> {
    const by = this.requireHandler(actor);
    const current = (await this.get(actor, caseId)).supportCase;
    this.requireQueueHandler(actor, current);
    if (input.queue !== undefined) {
      // A queue the agent does not staff is as unknown to them as one that does not exist.
      if (this.queues.accessOf(actor, input.queue) === 'none') throw new AppError('validation_failed', `Unknown queue ${input.queue}`, [{ path: '/queue', message: 'unknown queue' }]);
      const note = caseNote(`Transferred to ${input.queue}${input.reason ? `: ${input.reason}` : ''}`, 'transferred');
      const moved = await this.store.cases.moveQueue(caseId, input.queue, input.agentId === undefined, note, this.owed(caseId));
      if (!moved) throw new AppError('invalid_transition', `A ${current.status} case cannot be transferred`);
      await this.announce(moved, 'transferred', by.user.id, null);
      if (input.agentId === undefined) {
        await this.assignment.drain(input.queue);
        return (await this.store.cases.byConversation(caseId))!;
      }
    }
    const agentId = input.agentId ?? by.user.id;
    const agent = await this.store.users.byId(agentId);
    if (!agent || agent.disabled || this.policy.queueAccess(agent.roles, input.queue ?? current.queue) !== 'handle') {
      throw new AppError('validation_failed', `${agentId} cannot take support cases`, [{ path: '/agent_id', message: 'not a support agent' }]);
    }
    const reason = `assigned by ${by.user.displayName}${input.reason ? `: ${input.reason}` : ''}`;
    const assigned = await this.store.cases.assign(caseId, agent.id, reason, { from: TRANSITIONS.assign.from, onlyUnassigned: false, note: caseNote(`Assigned to ${agent.displayName}`, 'assigned'), jobs: this.owed(caseId) });
    if (!assigned) throw new AppError('invalid_transition', `A ${current.status} case cannot be assigned`);
    await this.announceAssignment(assigned, 'assigned', by.user.id, agent);
    return assigned.supportCase;
  }

  /**
   * Moves a case to `resolved`, `closed` or back to `active` (reopen). Staff may do all three;
   * the requester may close or reopen their own case.
   */
  async setStatus(actor: Actor, caseId: string, status: CaseStatus): Promise<SupportCase> {
    const user = requireUser(actor);
    const { supportCase } = await this.get(actor, caseId);
    const action = actionFor(status);
    if (!action) throw new AppError('invalid_transition', `Cannot set status ${status} directly`);
    const staff = this.queues.accessOf(actor, supportCase.queue) !== 'none';
    const requester = supportCase.requesterId === user.user.id;
    if (!staff && !(requester && action !== 'resolve')) throw new AppError('forbidden', 'Only support staff can do this');
    const { from } = TRANSITIONS[action];
    const reopenTo: CaseStatus = supportCase.assignedAgentId === null ? 'waiting' : 'active';
    const to = action === 'reopen' ? reopenTo : TRANSITIONS[action].to;
    // Asking again for the state the case is already in (a retried close) changes nothing and succeeds.
    if (action !== 'reopen' && supportCase.status === to) return supportCase;
    const change: SupportChange = action === 'resolve' ? 'resolved' : action === 'close' ? 'closed' : 'reopened';
    const conversationStatus = action === 'close' ? 'closed' : action === 'reopen' ? 'active' : undefined;
    const updated = await this.store.cases.transition(caseId, from, to, action === 'resolve' ? 'resolved_at' : action === 'close' ? 'closed_at' : null, {
      ...(conversationStatus !== undefined && { conversationStatus }),
      note: caseNote(`Case ${change} by ${user.user.displayName}`, change),
      jobs: conversationStatus === 'closed' ? this.owed(caseId, 'conversation.closed') : this.owed(caseId),
    });
    if (!updated) {
      const now = await this.store.cases.byConversation(caseId);
      if (now && action !== 'reopen' && now.status === to) return now;
      throw new AppError('invalid_transition', `A ${supportCase.status} case cannot be ${status}`);
    }
    if (conversationStatus !== undefined) {
      const conversation = await this.store.conversations.byId(caseId);
      if (conversation) await this.bus.publish(topics.conversation(caseId), { type: 'conversation.updated', conversation });
    }
    await this.announce(updated, change, user.user.id, null);
    if (supportCase.status === 'active' && supportCase.assignedAgentId !== null) await this.assignment.drainFor(supportCase.assignedAgentId);
    return updated.supportCase;
  }

  /** The requester rates a resolved or closed case once, 1–5 with an optional comment. */
  async rate(actor: Actor, caseId: string, score: number, comment: string | null): Promise<SupportCase> {
    const user = requireUser(actor);
    const { supportCase } = await this.get(actor, caseId);
    if (supportCase.requesterId !== user.user.id) throw new AppError('forbidden', 'Only the customer who opened the case can rate it');
    if (supportCase.csatScore !== null) throw new AppError('already_rated');
    if (!(await this.store.cases.rate(caseId, score, comment, this.changes.for({ type: 'rating.given', subjectId: caseId })))) {
      const now = await this.store.cases.byConversation(caseId);
      throw now?.csatScore !== null ? new AppError('already_rated') : new AppError('invalid_transition', 'Only resolved or closed cases can be rated');
    }
    const rated = (await this.store.cases.byConversation(caseId))!;
    await this.announce({ supportCase: rated, note: undefined }, 'rated', user.user.id, null);
    return rated;
  }

  /** Waiting count, oldest wait and active cases per agent, for every queue the actor staffs. */
  async stats(actor: Actor) {
    const staffed = this.queues.staffedBy(actor);
    if (staffed.length === 0) throw new AppError('forbidden', 'Only support staff can see queue statistics');
    const now = Date.now();
    return Promise.all(
      staffed.map(async (queue) => {
        const { waiting, oldestWaitingSince } = await this.store.cases.queueStats(queue);
        const agents = await this.store.users.withRoles(this.queues.staffRoles(queue));
        const counts = await this.store.cases.activeCounts(agents.map((a) => a.id));
        return {
          queue,
          assignment: this.queues.assignment(queue),
          waiting,
          oldestWaitingSince,
          oldestWaitSeconds: oldestWaitingSince === null ? 0 : Math.max(0, Math.round((now - Date.parse(oldestWaitingSince)) / 1000)),
          activeByAgent: agents.map((a) => ({ agentId: a.id, active: counts.get(a.id) ?? 0 })),
        };
      }),
    );
  }

  /**
   * An agent took the case (accepted, assigned by staff or by a queue's strategy): the usual
   * announcement, and when the agent was not a participant yet, the join, so all of the agent's
   * connections start following the conversation.
   */
  async announceAssignment(result: CaseChange & { agentJoined: boolean }, change: 'accepted' | 'assigned', by: string | null, agent: Pick<User, 'id' | 'displayName'>): Promise<void> {
    if (result.agentJoined) await publishParticipantAdded(this.bus, result.supportCase.conversationId, agent.id, by);
    await this.announce(result, change, by, agent);
  }

  /** Tells the conversation and the queues of a committed change, and of the note written with it. */
  async announce({ supportCase, note }: CaseChange, change: SupportChange, by: string | null, agent: Pick<User, 'id' | 'displayName'> | null): Promise<void> {
    if (note !== undefined) await this.messages.announceCreated(note);
    const event = { type: 'support.case_updated', supportCase, change, by, agent: agent && { id: agent.id, name: agent.displayName } } as const;
    await this.bus.publish(topics.conversation(supportCase.conversationId), event);
    for (const q of this.queues.announceTo(supportCase.queue)) await this.bus.publish(topics.queue(q), event);
  }

  /** Whether the actor staffs at least one queue (reads and watches its cases). */
  isStaff(actor: Actor): boolean {
    return this.queues.staffedBy(actor).length > 0;
  }

  private requireHandler(actor: Actor): UserActor {
    const user = requireUser(actor);
    if (!this.policy.can({ kind: 'user', roles: user.user.roles }, 'support.handle')) throw new AppError('forbidden', 'Only support agents can do this');
    return user;
  }

  /** Taking or moving a case needs `support.handle` in its own queue; watching it is not enough. */
  private requireQueueHandler(actor: Actor, supportCase: SupportCase): void {
    if (this.queues.accessOf(actor, supportCase.queue) !== 'handle') throw new AppError('forbidden', 'Only support agents of this queue can do this');
  }
}

function requireUser(actor: Actor): UserActor {
  if (actor.kind !== 'user') throw new AppError('forbidden', 'This needs a user token');
  return actor;
}

/** The system note a case change writes with it, tagged with the change for clients that group them. */
function caseNote(content: string, change: SupportChange): CaseNote {
  return { content, metadata: { support_change: change } };
}

