import { NO_CHANGE_JOBS, type ChangeJobs } from '../jobs/change-jobs.js';
import type { Actor, UserActor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import type { Conversation, ConversationContext, ConversationSummary, Json, Participant, User } from '../core/model.js';
import type { AfterCommitPublisher } from '../messages/after-commit-publisher.js';
import { topics } from '../bus/domain-event.js';
import type { Policy } from '../policy/policy.js';
import type { FollowedConversation, Store } from '../storage/store.js';
import { publishParticipantAdded } from './participant-events.js';
import { unreadable, type ConversationAccess } from './conversation-access.js';
import type { ModerationService } from '../moderation/moderation.service.js';
import { DIRECT_CONTEXT_TYPE, directPairContext } from './direct-pair.js';

export interface CreateConversationInput {
  readonly type: string;
  readonly title?: string | null;
  readonly context?: ConversationContext | null;
  readonly participants: readonly { readonly userId: string; readonly role?: string }[];
  readonly metadata?: Json;
  readonly status?: string;
}

export interface EnsureContextInput extends Omit<CreateConversationInput, 'context' | 'participants'> {
  /** The host's whole list; absent leaves membership as it is. */
  readonly participants?: CreateConversationInput['participants'];
}

/** One host object of a batch: its context and the whole list of who is in it. */
export interface ContextRoomInput extends Omit<EnsureContextInput, 'participants'> {
  readonly context: ConversationContext;
  readonly participants: NonNullable<EnsureContextInput['participants']>;
}

/** What a batch did to one room, or why that room failed (the others are unaffected). */
export type ContextRoomResult =
  | { readonly ok: true; readonly outcome: 'created' | 'updated' | 'unchanged'; readonly conversation: Conversation }
  | { readonly ok: false; readonly error: AppError };

/** Statuses that close a conversation, as far as its `conversation.closed` event goes. */
const CLOSED = new Set(['closed', 'CLOSED']);

/** Statuses a conversation already stopped in; inactivity cleanup leaves them alone. */
const ENDED_STATUSES = ['archived', 'closed', 'CLOSED'];

export interface CreateResult {
  readonly conversation: Conversation;
  /** False when an existing conversation was returned (a direct pair or a known context). */
  readonly created: boolean;
}

/** Creating conversations, listing them, and changing who is in them. */
export class ConversationService {
  constructor(
    private readonly store: Store,
    /** Every event here reports a committed change, so none may fail the call. */
    private readonly bus: AfterCommitPublisher,
    private readonly policy: Policy,
    private readonly access: ConversationAccess,
    /** A user who blocked the caller cannot be put in a new direct conversation with them. */
    private readonly blocks: Pick<ModerationService, 'assertNotBlockedBy'>,
    /** The outbox jobs each change owes (webhook events). */
    private readonly changes: ChangeJobs = NO_CHANGE_JOBS,
  ) {}

  /**
   * Creates a conversation. A user caller needs `conversations.create` (or `support.create` for
   * type `support`) and joins as owner; everyone they add must be someone their role may start
   * with. A `direct` conversation between two users exists once: asking again returns it. Its
   * context is derived from the pair; a caller-supplied context is the host app's (see
   * `requireHostContext`).
   */
  async create(actor: Actor, input: CreateConversationInput): Promise<CreateResult> {
    const members = new Map<string, string>();
    for (const p of input.participants) members.set(p.userId, p.role ?? 'member');
    if (actor.kind === 'user') {
      this.requireAbility(actor, input.type === 'support' ? 'support.create' : 'conversations.create');
      members.set(actor.user.id, 'owner');
    }
    if (input.context) this.requireHostContext(actor, input.context, input.type);
    await this.checkMembers(actor, [...members.keys()]);
    if (input.type === DIRECT_CONTEXT_TYPE) {
      if (members.size !== 2) throw new AppError('validation_failed', 'A direct conversation has exactly two participants', [{ path: '/participants', message: 'expected exactly one other user' }]);
      const [first, second] = [...members.keys()] as [string, string];
      const context = directPairContext(first, second);
      const existing = await this.store.conversations.byContext(context);
      // Only the server writes direct contexts now; one on another kind of conversation was planted.
      if (existing && existing.type !== DIRECT_CONTEXT_TYPE) throw new AppError('context_taken');
      if (existing) return { conversation: existing, created: false };
      if (actor.kind === 'user') await this.blocks.assertNotBlockedBy(actor, [first, second].filter((id) => id !== actor.user.id));
      return this.insert(actor, input, context, members);
    }
    return this.insert(actor, input, input.context ?? null, members);
  }

  /**
   * The conversation of a host object, created on first request. For host backends (API key)
   * and `conversations.manage` holders. When `participants` is given it is the truth: missing
   * people are added, roles follow it, and current participants it leaves out are removed
   * (their connections stop following at once, e.g. a cancelled booking). Absent, membership is
   * left as it is. The caller does not join unless listed.
   */
  async ensureForContext(actor: Actor, context: ConversationContext, input: EnsureContextInput, options: { readonly onlyWhenCreating?: boolean } = {}): Promise<CreateResult> {
    if (actor.kind === 'user') this.requireAbility(actor, 'conversations.manage');
    this.requireHostContext(actor, context, input.type);
    const wanted = new Map((input.participants ?? []).map((p) => [p.userId, p.role ?? 'member']));
    await this.checkMembers(actor, [...wanted.keys()]);
    const existing = await this.store.conversations.byContext(context);
    // `onlyWhenCreating`: the list seeds a new conversation and leaves an existing one's people be.
    const sync = options.onlyWhenCreating ? undefined : input.participants && wanted;
    if (existing) return { conversation: await this.syncParticipants(actor, existing, sync), created: false };
    try {
      return await this.insert(actor, { ...input, participants: [] }, context, wanted);
    } catch (error) {
      // Another node created it between our read and our insert: theirs is the answer.
      const winner = error instanceof AppError && error.code === 'context_taken' ? await this.store.conversations.byContext(context) : undefined;
      if (!winner) throw error;
      return { conversation: await this.syncParticipants(actor, winner, sync), created: false };
    }
  }

  /**
   * `ensureForContext` for many host objects at once, with participants given for each: the
   * rules are the same, the writes are one transaction for the batch (see
   * `ConversationRepository.syncContexts`). A room that breaks a rule (an unknown participant,
   * a direct context) fails alone. If the batch write fails as a whole (another node created
   * one of the contexts meanwhile), each room is retried on its own with `ensureForContext`.
   */
  async ensureManyForContext(actor: Actor, rooms: readonly ContextRoomInput[]): Promise<ContextRoomResult[]> {
    if (actor.kind === 'user') this.requireAbility(actor, 'conversations.manage');
    const known = await this.usersById(rooms.flatMap((room) => room.participants.map((p) => p.userId)));
    const results: (ContextRoomResult | undefined)[] = rooms.map((room) => this.checkRoom(actor, room, known));
    const valid = rooms.flatMap((room, index) => (results[index] === undefined ? [{ room, index }] : []));
    let synced;
    try {
      synced = await this.store.conversations.syncContexts(valid.map(({ room }) => ({
        context: room.context,
        type: room.type,
        title: room.title ?? null,
        metadata: room.metadata ?? {},
        participants: [...new Map(room.participants.map((p) => [p.userId, p.role ?? 'member']))].map(([userId, role]) => ({ userId, role })),
      })));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      for (const { room, index } of valid) results[index] = await this.ensureOne(actor, room);
      return results as ContextRoomResult[];
    }
    for (const [i, sync] of synced.entries()) {
      results[valid[i]!.index] = { ok: true, outcome: sync.outcome, conversation: sync.conversation };
      if (sync.outcome === 'created') await this.announceCreated(sync.conversation, [...sync.added]);
      else await this.announceMembership(actor, sync.conversation.id, sync.added, sync.removed);
    }
    return results as ContextRoomResult[];
  }

  /**
   * Archives a conversation idle since before `before`, unless it has ended already or is a
   * support case's (those change status only with their case). Archived conversations stay
   * readable and exportable; nobody can send to them. Resolves `undefined` when the
   * conversation no longer qualifies (a message arrived meanwhile).
   */
  async archiveIfInactive(actor: Actor, conversationId: string, before: string): Promise<Conversation | undefined> {
    await this.access.manage(actor, conversationId);
    const archived = await this.store.conversations.setStatusIfInactive(conversationId, 'archived', inactivity(before));
    if (archived) await this.bus.publish(topics.conversation(conversationId), { type: 'conversation.updated', conversation: archived });
    return archived;
  }

  /** Conversations `archiveIfInactive` would archive, in id order after `afterId`. */
  async inactive(actor: Actor, query: { before: string; afterId?: string; limit: number }): Promise<Conversation[]> {
    if (actor.kind === 'user') this.requireAbility(actor, 'conversations.manage');
    return this.store.conversations.inactive({ ...inactivity(query.before), ...(query.afterId !== undefined && { afterId: query.afterId }), limit: query.limit });
  }

  async byContext(actor: Actor, context: ConversationContext): Promise<Conversation> {
    // An unknown context and one the caller may not read answer alike: no oracle of who talks.
    const conversation = await this.store.conversations.byContext(context);
    if (!conversation) throw unreadable();
    return (await this.access.read(actor, conversation.id)).conversation;
  }

  async list(actor: Actor, query: { status?: string; type?: string; limit: number; before?: string }): Promise<ConversationSummary[]> {
    if (actor.kind !== 'user') throw new AppError('forbidden', 'Listing conversations needs a user token');
    return this.store.conversations.listForUser({ userId: actor.user.id, ...query });
  }

  /** The conversations a new connection of the user follows (the `list` order, ids and last seq only). */
  followedBy(actor: UserActor, limit: number): Promise<FollowedConversation[]> {
    return this.store.conversations.followedBy(actor.user.id, limit);
  }

  /** The caller's view of one conversation; monitors get it without a read pointer. */
  async get(actor: Actor, conversationId: string): Promise<{ conversation: Conversation; summary: ConversationSummary | undefined; participants: Participant[] }> {
    const { conversation, participant } = await this.access.read(actor, conversationId);
    const [summary, participants] = await Promise.all([
      participant ? this.store.conversations.summaryFor(conversationId, participant.userId) : undefined,
      this.store.conversations.participants(conversationId),
    ]);
    return { conversation, summary, participants };
  }

  async update(actor: Actor, conversationId: string, patch: { title?: string | null; status?: string; metadata?: Json }): Promise<Conversation> {
    const { conversation: current } = await this.access.manage(actor, conversationId);
    // A support case's conversation changes status only with its case, never apart from it.
    if (patch.status !== undefined && patch.status !== current.status && current.type === 'support') {
      throw new AppError('invalid_transition', 'A support case changes status through POST /v1/support/cases/{id}/status');
    }
    const closing = patch.status !== undefined && CLOSED.has(patch.status) && !CLOSED.has(current.status);
    const conversation = await this.store.conversations.update(conversationId, patch, closing ? this.changes.for({ type: 'conversation.closed', subjectId: conversationId }) : []);
    await this.bus.publish(topics.conversation(conversationId), { type: 'conversation.updated', conversation });
    return conversation;
  }

  /**
   * Closes a conversation. Either side of a support conversation may close it (as GuzoSync
   * allows); other conversations need manage rights.
   */
  async close(actor: Actor, conversationId: string): Promise<Conversation> {
    const { conversation } = await this.access.read(actor, conversationId);
    if (conversation.type === 'support') await this.access.write(actor, conversationId);
    else await this.access.manage(actor, conversationId);
    const closing = !CLOSED.has(conversation.status);
    const closed = await this.store.conversations.update(conversationId, { status: 'closed' }, closing ? this.changes.for({ type: 'conversation.closed', subjectId: conversationId }) : []);
    await this.bus.publish(topics.conversation(conversationId), { type: 'conversation.updated', conversation: closed });
    return closed;
  }

  async participants(actor: Actor, conversationId: string): Promise<Participant[]> {
    await this.access.read(actor, conversationId);
    return this.store.conversations.participants(conversationId);
  }

  /** Adds a participant; returns `created: false` when they were already in. */
  async addParticipant(actor: Actor, conversationId: string, userId: string, role = 'member'): Promise<{ participant: Participant; created: boolean }> {
    await this.access.manage(actor, conversationId);
    const [user] = await this.loadUsers([userId]);
    if (actor.kind === 'user' && user!.id !== actor.user.id && !this.policy.mayStartWith(actor.user.roles, user!.roles)) {
      throw new AppError('forbidden', `Your role may not add ${userId}`, { user_id: userId });
    }
    const existing = await this.store.conversations.participant(conversationId, userId);
    if (existing && existing.leftAt === null) return { participant: existing, created: false };
    const participant = await this.store.conversations.addParticipant(conversationId, userId, role, this.changes.for({ type: 'participant.added', subjectId: conversationId, details: { user_id: userId, role } }));
    await publishParticipantAdded(this.bus, conversationId, userId, actorId(actor));
    return { participant, created: true };
  }

  /** Removes a participant. Anyone may remove themselves (leave); removing others needs manage rights. */
  async removeParticipant(actor: Actor, conversationId: string, userId: string): Promise<void> {
    const leaving = actor.kind === 'user' && actor.user.id === userId;
    if (leaving) await this.access.write(actor, conversationId);
    else await this.access.manage(actor, conversationId);
    const removed = await this.store.conversations.removeParticipant(conversationId, userId, this.changes.for({ type: 'participant.removed', subjectId: conversationId, details: { user_id: userId } }));
    if (!removed) throw new AppError('not_found', `${userId} is not a participant`);
    const event = { type: 'participant.removed', conversationId, userId, by: actorId(actor) } as const;
    await this.bus.publish(topics.conversation(conversationId), event);
    await this.bus.publish(topics.user(userId), event);
  }

  /** A room's own rule breaks, as its failed result; `undefined` when it may be written. */
  private checkRoom(actor: Actor, room: ContextRoomInput, known: ReadonlyMap<string, User>): ContextRoomResult | undefined {
    try {
      this.requireHostContext(actor, room.context, room.type);
      const ids = [...new Set(room.participants.map((p) => p.userId))];
      const missing = ids.filter((id) => !known.has(id));
      if (missing.length > 0) throw new AppError('user_not_found', `Unknown user: ${missing.join(', ')}`, { user_ids: missing });
      this.checkStartWith(actor, ids.map((id) => known.get(id)!));
      return undefined;
    } catch (error) {
      if (error instanceof AppError) return { ok: false, error };
      throw error;
    }
  }

  private async ensureOne(actor: Actor, room: ContextRoomInput): Promise<ContextRoomResult> {
    try {
      const before = await this.store.conversations.byContext(room.context);
      const current = before && new Map((await this.store.conversations.participants(before.id)).map((p) => [p.userId, p.role]));
      const { conversation, created } = await this.ensureForContext(actor, room.context, room);
      const same = current !== undefined && current.size === room.participants.length && room.participants.every((p) => current.get(p.userId) === (p.role ?? 'member'));
      return { ok: true, outcome: created ? 'created' : same ? 'unchanged' : 'updated', conversation };
    } catch (error) {
      if (error instanceof AppError) return { ok: false, error };
      throw error;
    }
  }

  /** The events `addParticipant` and `removeParticipant` publish, for changes written in a batch. */
  private async announceMembership(actor: Actor, conversationId: string, added: readonly string[], removed: readonly string[]): Promise<void> {
    for (const userId of added) await publishParticipantAdded(this.bus, conversationId, userId, actorId(actor));
    for (const userId of removed) {
      const event = { type: 'participant.removed', conversationId, userId, by: actorId(actor) } as const;
      await this.bus.publish(topics.conversation(conversationId), event);
      await this.bus.publish(topics.user(userId), event);
    }
  }

  /**
   * Someone opened (or closed) a live view of a conversation they may read, e.g. MoreVans' per-room
   * socket: the others in it are told (`session.member`). `origin` is the viewing connection.
   */
  async announceViewer(actor: Actor, conversationId: string, joined: boolean, origin: string): Promise<void> {
    if (actor.kind !== 'user') throw new AppError('forbidden', 'Viewing a conversation needs a user token');
    await this.access.read(actor, conversationId);
    const { user } = actor;
    await this.bus.publish(topics.conversation(conversationId), { type: 'session.member', conversationId, userId: user.id, role: user.roles[0] ?? null, name: user.displayName, joined, origin });
  }

  /** Makes the current participants exactly `wanted` (user → role); `undefined` changes nothing. */
  private async syncParticipants(actor: Actor, conversation: Conversation, wanted: ReadonlyMap<string, string> | undefined): Promise<Conversation> {
    if (wanted === undefined) return conversation;
    const current = new Map((await this.store.conversations.participants(conversation.id)).map((p) => [p.userId, p.role]));
    for (const [userId, role] of wanted) {
      if (!current.has(userId)) await this.addParticipant(actor, conversation.id, userId, role);
      // Same membership, new role: nothing for connections to follow, so nothing to announce.
      else if (current.get(userId) !== role) await this.store.conversations.addParticipant(conversation.id, userId, role);
    }
    for (const userId of current.keys()) {
      if (!wanted.has(userId)) await this.removeParticipant(actor, conversation.id, userId);
    }
    return conversation;
  }

  private async insert(actor: Actor, input: Omit<CreateConversationInput, 'context'>, context: ConversationContext | null, members: ReadonlyMap<string, string>): Promise<CreateResult> {
    const conversation = await this.store.conversations.create({
      type: input.type,
      context,
      title: input.title ?? null,
      status: input.status ?? 'active',
      metadata: input.metadata ?? {},
      createdBy: actor.kind === 'user' ? actor.user.id : null,
      participants: [...members].map(([userId, role]) => ({ userId, role })),
      jobs: (id) => this.changes.for({ type: 'conversation.created', subjectId: id }),
    });
    await this.announceCreated(conversation, [...members.keys()]);
    return { conversation, created: true };
  }

  /**
   * A context names a host object (trip, job, ticket…): the host app's, so only its backend (API
   * key) or a `conversations.manage` holder may create or claim one. Otherwise anyone could
   * create `trip:T-1001` first and be in the room when the host app adds the real people. The
   * `direct` context is the server's alone, derived from the pair.
   */
  private requireHostContext(actor: Actor, context: ConversationContext, type: string): void {
    if (context.type === DIRECT_CONTEXT_TYPE || type === DIRECT_CONTEXT_TYPE) {
      throw new AppError('validation_failed', 'A direct conversation\'s context is derived from its two participants and cannot be given', [{ path: '/context', message: 'not allowed for direct conversations' }]);
    }
    if (actor.kind === 'user' && !this.policy.can({ kind: 'user', roles: actor.user.roles }, 'conversations.manage')) {
      throw new AppError('forbidden', 'Only the host app (API key) or a role with conversations.manage may create the conversation of a host object');
    }
  }

  /** Everyone must exist, and a user caller may include only people their role may start with. */
  private async checkMembers(actor: Actor, ids: string[]): Promise<void> {
    this.checkStartWith(actor, await this.loadUsers(ids));
  }

  /** A user caller may include only people their role may start with. */
  private checkStartWith(actor: Actor, users: readonly User[]): void {
    if (actor.kind !== 'user') return;
    for (const other of users.filter((u) => u.id !== actor.user.id)) {
      if (!this.policy.mayStartWith(actor.user.roles, other.roles)) {
        throw new AppError('forbidden', `Your role may not start a conversation with ${other.id}`, { user_id: other.id });
      }
    }
  }

  private async announceCreated(conversation: Conversation, participantIds: string[]): Promise<void> {
    const event = { type: 'conversation.created', conversation, participantIds } as const;
    await Promise.all(participantIds.map((id) => this.bus.publish(topics.user(id), event)));
  }

  /** The users among `ids` that exist, read a chunk at a time (a batch may name thousands). */
  private async usersById(ids: readonly string[]): Promise<Map<string, User>> {
    const unique = [...new Set(ids)];
    const users = new Map<string, User>();
    for (let i = 0; i < unique.length; i += 1000) {
      for (const user of await this.store.users.byIds(unique.slice(i, i + 1000))) users.set(user.id, user);
    }
    return users;
  }

  private async loadUsers(ids: string[]) {
    const users = await this.store.users.byIds(ids);
    const missing = ids.filter((id) => !users.some((u) => u.id === id));
    if (missing.length > 0) throw new AppError('user_not_found', `Unknown user: ${missing.join(', ')}`, { user_ids: missing });
    return ids.map((id) => users.find((u) => u.id === id)!);
  }

  private requireAbility(actor: Actor & { kind: 'user' }, ability: Parameters<Policy['can']>[1]): void {
    if (!this.policy.can({ kind: 'user', roles: actor.user.roles }, ability)) {
      throw new AppError('forbidden', `Your role lacks the ability ${ability}`);
    }
  }
}

function actorId(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.user.id : null;
}

function inactivity(before: string) {
  return { before, excludeStatuses: ENDED_STATUSES, excludeTypes: ['support'] };
}
