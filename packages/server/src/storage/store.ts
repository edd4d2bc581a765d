import type {
  Conversation,
  ConversationContext,
  ConversationSummary,
  Json,
  Message,
  MessageHeader,
  Participant,
  ScanStatus,
  User,
} from '../core/model.js';

/**
 * The storage port. Features talk to this and nothing else; each dialect fills it. Every method
 * is atomic: it either commits all its writes or none.
 */
export interface Store {
  readonly users: UserRepository;
  readonly conversations: ConversationRepository;
  readonly messages: MessageRepository;
  readonly revocations: RevocationRepository;
  readonly sessions: SessionRepository;
  readonly reactions: ReactionRepository;
  readonly cases: SupportCaseRepository;
  readonly attachments: AttachmentRepository;
  readonly outbox: OutboxRepository;
  readonly moderation: ModerationRepository;
  readonly analytics: AnalyticsRepository;
  readonly notifications: NotificationRepository;
  readonly search: SearchRepository;
  readonly webhooks: WebhookRepository;
  /** Applies pending migrations. Safe to call on every start and from several nodes. */
  migrate(): Promise<void>;
  /** Resolves when the store answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** Releases connections; pending queries finish first. */
  close(): Promise<void>;
}

export interface NewUser {
  readonly id: string;
  readonly email: string | null;
  readonly passwordHash: string | null;
  readonly displayName: string;
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  readonly roles: readonly string[];
  readonly profile?: Json;
  readonly disabled?: boolean;
}

export type UserPatch = Partial<Omit<NewUser, 'id'>> & {
  readonly tokensValidAfter?: number;
  /** When `roles` were stated (epoch seconds); see `User.rolesUpdatedAt`. */
  readonly rolesUpdatedAt?: number;
};

export interface UserRepository {
  /** Returns the user or `undefined`. */
  byId(id: string): Promise<User | undefined>;
  /** Several users at once, in no particular order; unknown ids are skipped. */
  byIds(ids: readonly string[]): Promise<User[]>;
  /** Looks up by email, case-insensitively (emails are stored lower-cased). */
  byEmail(email: string): Promise<User | undefined>;
  /** The stored argon2 hash, for login only. */
  passwordHash(id: string): Promise<string | undefined>;
  /**
   * Creates or updates by id; absent fields of an existing user are kept. Concurrent calls for one
   * new id all succeed (one creates, the others update). Throws `email_taken` when the email
   * belongs to another user.
   */
  upsert(user: NewUser | (UserPatch & { readonly id: string })): Promise<User>;
  /** Users holding any of the roles, enabled ones only. */
  withRoles(roles: readonly string[]): Promise<User[]>;
  count(): Promise<number>;
}

export interface NewConversation {
  readonly type: string;
  readonly context: ConversationContext | null;
  readonly title: string | null;
  readonly status?: string;
  readonly metadata: Json;
  readonly createdBy: string | null;
  readonly participants: readonly { readonly userId: string; readonly role: string }[];
  /** The outbox jobs the new conversation owes (its webhook event), given its id; written in its transaction. */
  readonly jobs?: (conversationId: string) => readonly NewJob[];
}

/** A conversation a real-time connection follows: which, and how far its messages go. */
export interface FollowedConversation {
  readonly id: string;
  readonly lastSeq: number;
}

export interface ConversationListQuery {
  readonly userId: string;
  readonly status?: string;
  readonly type?: string;
  readonly limit: number;
  /** Only conversations whose last activity is strictly older than this (a page cursor). */
  readonly before?: string;
}

export interface ConversationPatch {
  readonly title?: string | null;
  readonly status?: string;
  readonly metadata?: Json;
}

export interface ConversationRepository {
  /**
   * Creates the conversation and its participants in one transaction: if any of it fails, nothing
   * is stored. With a context that is already taken it throws `context_taken`; other failures
   * (an unknown or repeated participant) are thrown as they are.
   */
  create(input: NewConversation): Promise<Conversation>;
  /**
   * Creates the conversation, its participants and its first message (seq 1) in one
   * transaction: a case never exists without the request that opened it.
   */
  createWithMessage(input: NewConversation, first: Omit<NewMessage, 'conversationId'>): Promise<{ conversation: Conversation; message: Message }>;
  byId(id: string): Promise<Conversation | undefined>;
  byContext(context: ConversationContext): Promise<Conversation | undefined>;
  /** Conversations where the user is a current participant, most recent activity first. */
  listForUser(query: ConversationListQuery): Promise<ConversationSummary[]>;
  /**
   * The same conversations, in the same order, as only their ids and last seq: what a new
   * real-time connection follows, read in one prepared statement on every connect.
   */
  followedBy(userId: string, limit: number): Promise<FollowedConversation[]>;
  /** The summary of one conversation for one participant, or `undefined` if not a participant. */
  summaryFor(conversationId: string, userId: string): Promise<ConversationSummary | undefined>;
  /** Applies the patch, with the outbox jobs the change owes in the same transaction. */
  update(id: string, patch: ConversationPatch, jobs?: readonly NewJob[]): Promise<Conversation>;
  /** Current participants (those who have not left). */
  participants(conversationId: string): Promise<Participant[]>;
  /** Current participants of several conversations at once, by conversation (those without any are absent). */
  participantsOf(conversationIds: readonly string[]): Promise<Map<string, Participant[]>>;
  /** Everyone who currently shares at least one conversation with the user, the user excluded. */
  contactsOf(userId: string): Promise<string[]>;
  /** The participant row, current or former. */
  participant(conversationId: string, userId: string): Promise<Participant | undefined>;
  /**
   * What an access decision needs, in one read: the conversation's kind and state and the user's
   * membership; `undefined` when there is no such conversation. A store that is its database's
   * only writer may answer from memory; the answer always reflects every write it made.
   */
  accessFacts(conversationId: string, userId: string): Promise<AccessFacts | undefined>;
  /** Adds the user, or brings a former participant back; returns the row. `jobs` are written with it. */
  addParticipant(conversationId: string, userId: string, role: string, jobs?: readonly NewJob[]): Promise<Participant>;
  /**
   * Marks the participant as having left; returns false if they were not a current participant
   * (and then writes no `jobs`).
   */
  removeParticipant(conversationId: string, userId: string, jobs?: readonly NewJob[]): Promise<boolean>;
  /**
   * Moves the read pointer forward (never back) to `min(seq, last_seq)`, and the delivered
   * pointer with it, writing `jobs` (what the read owes, e.g. clearing notifications) in the
   * same transaction. Returns the participant after the move.
   */
  markRead(conversationId: string, userId: string, seq: number, jobs?: readonly NewJob[]): Promise<Participant>;
  /** Moves the delivered pointer forward (never back) to `min(seq, last_seq)`. */
  markDelivered(conversationId: string, userId: string, seq: number): Promise<Participant>;
  /**
   * Every conversation, `limit` at a time in id order, starting after `afterId` (the last id of
   * the previous page): for exports that walk the whole store.
   */
  scan(query: { readonly afterId?: string; readonly limit: number }): Promise<Conversation[]>;
  /**
   * Conversations idle since before `query.before` (their `lastActivityAt` is strictly older),
   * whose status is none of `excludeStatuses` and whose type is none of `excludeTypes`, in id
   * order after `afterId`, `limit` at a time.
   */
  inactive(query: InactiveQuery): Promise<Conversation[]>;
  /**
   * Sets the status only while the conversation is still what `query` selects (idle since before
   * `before`, status and type not excluded), in one statement; resolves it updated, or
   * `undefined` when a message or another change got there first. Last activity is left as it
   * was: a status change by the server is not activity.
   */
  setStatusIfInactive(id: string, status: string, query: Omit<InactiveQuery, 'afterId' | 'limit'>): Promise<Conversation | undefined>;
  /**
   * Brings the conversations of host objects to the given state in one transaction: a context
   * not seen yet gets a conversation with exactly these participants; a known one keeps its
   * type, title and metadata and gets its current participants made exactly these (missing
   * people added or brought back, roles followed, people left out removed). Every participant
   * must be a known user. Resolves one outcome per room, in order. If any room fails, nothing
   * is written and the error is thrown as it is (a context created meanwhile elsewhere throws
   * `context_taken`).
   */
  syncContexts(rooms: readonly ContextRoom[]): Promise<ContextSync[]>;
}

export interface InactiveQuery {
  /** ISO instant: idle since strictly before it. */
  readonly before: string;
  readonly excludeStatuses: readonly string[];
  readonly excludeTypes: readonly string[];
  readonly afterId?: string;
  readonly limit: number;
}

/** A host object's conversation as an import states it. */
export interface ContextRoom {
  readonly context: ConversationContext;
  /** For a new conversation only. */
  readonly type: string;
  readonly title: string | null;
  readonly metadata: Json;
  /** Exactly who is in it, each once. */
  readonly participants: readonly { readonly userId: string; readonly role: string }[];
}

/** What `syncContexts` did to one room. */
export interface ContextSync {
  readonly outcome: 'created' | 'updated' | 'unchanged';
  readonly conversation: Conversation;
  /** Users who became current participants (all of them for a new conversation). */
  readonly added: readonly string[];
  /** Users who stopped being current participants. */
  readonly removed: readonly string[];
}

export interface AccessFacts {
  readonly conversation: Pick<Conversation, 'id' | 'type' | 'status' | 'createdBy' | 'slowModeSeconds'>;
  /** The user's membership, current or former; absent when they never took part. */
  readonly participant: Pick<Participant, 'userId' | 'role' | 'leftAt'> | undefined;
}

export interface NewMessage {
  readonly conversationId: string;
  readonly senderId: string | null;
  readonly kind: string;
  readonly content: string;
  readonly attachments?: Message['attachments'];
  readonly replyTo?: string | null;
  readonly metadata?: Json;
  readonly clientId?: string | null;
  /**
   * Outbox job kinds this message owes (see {@link OutboxRepository}): one job per kind, id
   * `${messageId}:${kind}`, subject the message id, written in the append's transaction. A
   * retried client id writes none: the original append wrote them.
   */
  readonly jobs?: readonly string[];
  /**
   * Coalesced jobs this message owes its conversation (see {@link NewJob.coalesce}): id
   * `${conversationId}:${kind}`, subject the conversation, due `delayMs` after the message if
   * none is owed; written in the append's transaction. A retried client id writes none.
   */
  readonly conversationJobs?: readonly ConversationJob[];
  /** Written under a shadow ban: stored and kept, shown only to its sender and moderators. */
  readonly shadowed?: boolean;
}

/** A coalesced job a message owes its conversation. */
export interface ConversationJob {
  readonly kind: string;
  readonly delayMs: number;
}

/** The outbox row of a message's {@link ConversationJob}, written `at` the append's instant. */
export function conversationJobRow(conversationId: string, job: ConversationJob, at: string): NewJob {
  return { id: `${conversationId}:${job.kind}`, kind: job.kind, subjectId: conversationId, runAt: new Date(Date.parse(at) + job.delayMs).toISOString(), coalesce: true };
}

export interface MessagePatch {
  readonly content?: string;
  readonly editedAt?: string;
  readonly deletedAt?: string;
  readonly hidden?: boolean;
  readonly reported?: boolean;
  readonly metadata?: Json;
}

export interface AppendResult {
  readonly message: Message;
  /** False when `clientId` matched an earlier message of the same sender, which is returned instead. */
  readonly created: boolean;
}

export interface MessagePageQuery {
  readonly conversationId: string;
  readonly limit: number;
  readonly beforeSeq?: number;
  readonly afterSeq?: number;
  /**
   * A byte budget as well as a count: the page stops before the message that would take its
   * stored size (content, metadata, attachments) past it, keeping at least one, and says
   * `hasMore`. For pages sent whole down a bounded connection.
   */
  readonly maxBytes?: number;
}

export interface MessageRepository {
  /**
   * Assigns the next seq of the conversation and inserts the message in one transaction, so seqs
   * are gap-free and unique under any concurrency. The sender's read pointer moves to the new
   * seq. A repeated `(senderId, clientId)` returns the original message with `created: false`.
   */
  append(input: NewMessage): Promise<AppendResult>;
  byId(id: string): Promise<Message | undefined>;
  /** The message a sender wrote with this client id in this conversation, if any (what a retry would return). */
  byClientId(senderId: string, conversationId: string, clientId: string): Promise<Message | undefined>;
  /** Several messages at once; unknown ids are skipped. */
  byIds(ids: readonly string[]): Promise<Message[]>;
  /**
   * A page in ascending seq order. With `afterSeq`: the first `limit` after it; otherwise the
   * last `limit` before `beforeSeq` (or the newest). `hasMore` says whether the page was cut.
   */
  page(query: MessagePageQuery): Promise<{ messages: Message[]; hasMore: boolean }>;
  /**
   * The first `limit` messages after `afterSeq`, in seq order, as headers only: for work that
   * walks a conversation's new messages without showing them (the notification scheduler).
   */
  headersAfter(conversationId: string, afterSeq: number, limit: number): Promise<{ headers: MessageHeader[]; hasMore: boolean }>;
  /** Newest-first window by offset, for protocols that page with `skip`. Returned oldest first. */
  /**
   * The newest `limit` messages after skipping `skip`, oldest first; with `maxBytes`, only the
   * newest of them that fit (always at least one), so a client paging by skip gets the rest next.
   */
  window(conversationId: string, skip: number, limit: number, maxBytes?: number): Promise<Message[]>;
  /** Applies the patch, with the outbox jobs the change owes (its webhook event) in the same transaction. */
  update(id: string, patch: MessagePatch, jobs?: readonly NewJob[]): Promise<Message>;
}

export interface RevocationRepository {
  /** Records a token id as revoked until its expiry (epoch seconds). */
  revoke(jti: string, expiresAt: number): Promise<void>;
  isRevoked(jti: string): Promise<boolean>;
  /** Deletes entries whose tokens have expired anyway; returns how many. */
  purgeExpired(nowSeconds: number): Promise<number>;
}

/** An opaque session: what the store keeps of it (never the token itself). */
export interface Session {
  readonly id: string;
  readonly userId: string;
  /** Epoch seconds. */
  readonly createdAt: number;
  /** Epoch seconds; the session is refused from then on. */
  readonly expiresAt: number;
}

/**
 * Opaque sessions, found by the hash of their token. Hashing is the caller's (the identity
 * feature): the store only ever sees and compares hashes.
 */
export interface SessionRepository {
  /** Records a new session under the token's hash. */
  create(session: Session & { readonly tokenHash: string }): Promise<Session>;
  /** The session whose token hashes to `tokenHash`, expired or not; `undefined` if none. */
  byTokenHash(tokenHash: string): Promise<Session | undefined>;
  /** Deletes one session (logout); true when it existed. */
  delete(id: string): Promise<boolean>;
  /** Deletes every session of a user; returns how many. */
  deleteForUser(userId: string): Promise<number>;
  /** Deletes sessions that expired before `nowSeconds`; returns how many. */
  purgeExpired(nowSeconds: number): Promise<number>;
}

export interface ReactionSummary {
  readonly emoji: string;
  readonly userIds: readonly string[];
}

export interface ReactionRepository {
  /** Adds the user's reaction; resolves false when it was already there. */
  add(messageId: string, userId: string, emoji: string): Promise<boolean>;
  /** Removes it; resolves false when it was not there. */
  remove(messageId: string, userId: string, emoji: string): Promise<boolean>;
  /** Reactions of each message that has any, emojis in first-use order. */
  forMessages(messageIds: readonly string[]): Promise<Map<string, ReactionSummary[]>>;
  /** The same for the messages of one conversation whose seq is in [fromSeq, toSeq]. */
  forSeqRange(conversationId: string, fromSeq: number, toSeq: number): Promise<Map<string, ReactionSummary[]>>;
}

export interface StoredAttachment {
  readonly id: string;
  readonly uploaderId: string;
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
  readonly storageKey: string;
  readonly thumbnailKey: string | null;
  readonly conversationId: string | null;
  readonly messageId: string | null;
  readonly createdAt: string;
  /** Where its virus scan stands; only `clean` and `unscanned` files are served. */
  readonly scanStatus: ScanStatus;
  /** The signature of an infected file, or why a scan failed or could not run; null otherwise. */
  readonly scanDetail: string | null;
}

export interface AttachmentRepository {
  /**
   * Records an uploaded file (its bytes are already in the blob store), with the outbox jobs it
   * owes (its virus scan) in the same transaction, so a recorded file always has its scan owed.
   */
  insert(attachment: Omit<StoredAttachment, 'conversationId' | 'messageId'>, jobs?: readonly NewJob[]): Promise<StoredAttachment>;
  /**
   * Moves the scan status from one of `from` to `to`, with its detail, and updates the copy
   * the carrying message keeps, in one transaction. Resolves the row as updated, or `undefined`
   * when the upload is gone or its status is not in `from` (settled by an earlier run): the
   * condition makes a repeated job harmless.
   */
  settleScan(id: string, from: readonly ScanStatus[], to: ScanStatus, detail: string | null): Promise<StoredAttachment | undefined>;
  byId(id: string): Promise<StoredAttachment | undefined>;
  /**
   * Binds the uploader's still-unbound uploads to a conversation, all or nothing: resolves the
   * bound rows, or `undefined` if any id is unknown, someone else's, or already bound.
   */
  bind(ids: readonly string[], uploaderId: string, conversationId: string): Promise<StoredAttachment[] | undefined>;
  /**
   * Records which message carries the bound uploads, and brings the scan statuses in the
   * message's copy of them up to date (a scan may have settled between the claim and now).
   */
  setMessage(ids: readonly string[], messageId: string): Promise<void>;
  /** Unbinds uploads whose message could not be written, so they can be sent again. */
  release(ids: readonly string[]): Promise<void>;
  /** Unbound uploads older than the instant, oldest first, for cleanup. */
  unboundBefore(isoInstant: string, limit: number): Promise<StoredAttachment[]>;
  /**
   * Deletes the upload's record if it is still unbound; false when a message claimed it
   * meanwhile or it is gone, so a cleanup racing a send never takes a claimed file.
   */
  deleteUnbound(id: string): Promise<boolean>;
  /** Which of these blob keys a record still names, as its file or its thumbnail. */
  keysInUse(keys: readonly string[]): Promise<Set<string>>;
}

/** A side effect to run later, as written into the outbox. */
export interface NewJob {
  /** Unique per side effect, so enqueuing one twice keeps one row (e.g. `${messageId}:${kind}`). */
  readonly id: string;
  /** Which handler runs it (`support.first_response`). */
  readonly kind: string;
  /** What it is about (a message id); handlers load the current state from it. */
  readonly subjectId: string;
  /** Anything the handler needs that the subject does not say. @default {} */
  readonly payload?: Json;
  /** ISO instant before which it must not run. @default now */
  readonly runAt?: string;
  /**
   * One job for many changes (docs/jobs.md, "Coalesced jobs"): its id names what it is about
   * (`${conversationId}:${kind}`), not one change. Written while that job is owed, it adds
   * nothing; while it runs, the run ends by making it due again; once settled, it is owed again
   * from `runAt`. Its handler reads what changed since its last run itself. @default false
   */
  readonly coalesce?: boolean;
}

/** An outbox row. Timestamps are ISO-8601 UTC strings. */
export interface Job {
  readonly id: string;
  readonly kind: string;
  readonly subjectId: string;
  readonly payload: Json;
  /** Due from this instant (the next retry's, after a failure). */
  readonly runAt: string;
  /** Times it was claimed, the current claim included. */
  readonly attempts: number;
  /** The current claim's lease: no one else claims it before this instant. */
  readonly lockedUntil: string | null;
  /** The message of the last failure. */
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly completedAt: string | null;
  /** Set when its attempts ran out: a dead letter, kept for inspection and never run again. */
  readonly failedAt: string | null;
}

/**
 * The transactional outbox. A change that owes a side effect writes the job in its own
 * transaction (see `NewMessage.jobs`), so the effect is never lost to a crash after the commit
 * and never runs for a change that rolled back. A runner claims due jobs under a lease, runs
 * them and settles each with `complete`, `retryLater` or `fail`.
 *
 * Delivery is at least once: a node that dies between a job's effect and `complete` leaves the
 * claim to expire, and the job runs again. Handlers must therefore be idempotent.
 */
export interface OutboxRepository {
  /**
   * Writes jobs in a transaction of their own; a job whose id exists already is skipped, so
   * enqueuing again is harmless. Repositories writing a change enqueue inside that change's
   * transaction instead (the Kysely store's `enqueueIn`).
   */
  enqueue(jobs: readonly NewJob[]): Promise<void>;
  /**
   * Claims up to `limit` due jobs, oldest `runAt` first: not completed, not failed, `runAt` at or
   * before `at`, and unclaimed or with an expired lease. Each claimed job gets a lease until
   * `at + leaseMs` and one more attempt, and is returned as it is after the claim. Concurrent
   * claimers, on one node or many, never receive the same job while its lease holds.
   * @param at the instant to claim at; defaults to now (tests pass a clock)
   */
  claimDue(limit: number, leaseMs: number, at?: Date): Promise<Job[]>;
  /**
   * Marks the job done and releases its lease. A job already completed or failed is left alone.
   * A coalesced job asked for again while it ran stays owed instead: resolves the instant it
   * is due again then (`undefined` otherwise).
   */
  complete(id: string): Promise<string | undefined>;
  /**
   * Releases the lease and makes the job due again at `runAt`, keeping `error` as its last
   * error. A job already completed or failed is left alone.
   */
  retryLater(id: string, runAt: string, error: string): Promise<void>;
  /**
   * Gives up: stamps `failedAt` (a dead letter, never claimed again), keeps `error`, releases the
   * lease. A job already completed or failed is left alone.
   */
  fail(id: string, error: string): Promise<void>;
  /** The job, or `undefined`. */
  byId(id: string): Promise<Job | undefined>;
  /** Jobs still owed (neither completed nor failed, due or not) and dead letters, for ops and tests. */
  counts(): Promise<{ readonly pending: number; readonly failed: number }>;
}

export type CaseStatus = 'waiting' | 'active' | 'resolved' | 'closed';
export type CasePriority = 'low' | 'medium' | 'high' | 'urgent';

export interface SupportCase {
  readonly conversationId: string;
  readonly queue: string;
  readonly status: CaseStatus;
  readonly priority: CasePriority;
  readonly category: string | null;
  readonly subject: string;
  readonly requesterId: string;
  readonly assignedAgentId: string | null;
  readonly assignmentReason: string | null;
  readonly createdAt: string;
  readonly firstResponseAt: string | null;
  readonly acceptedAt: string | null;
  readonly resolvedAt: string | null;
  readonly closedAt: string | null;
  readonly csatScore: number | null;
  readonly csatComment: string | null;
  readonly csatAt: string | null;
}

export interface NewSupportCase {
  readonly queue: string;
  readonly priority: CasePriority;
  readonly category: string | null;
  readonly subject: string;
  readonly requesterId: string;
}

export interface CaseListQuery {
  readonly queue?: string;
  /** Only cases in one of these queues (those a staff member staffs); an empty list matches none. */
  readonly queues?: readonly string[];
  readonly statuses?: readonly CaseStatus[];
  readonly agentId?: string;
  readonly requesterId?: string;
  readonly limit: number;
  readonly offset?: number;
}

/**
 * The system message a case change writes (`Case closed by …`). It is appended in the change's
 * own transaction, so a case never changes without its note, whatever crashes when.
 */
export interface CaseNote {
  readonly content: string;
  readonly metadata: Json;
}

/** A committed case change: the case as it is now, and the note written with it. */
export interface CaseChange {
  readonly supportCase: SupportCase;
  readonly note: Message | undefined;
}

export interface SupportCaseRepository {
  /**
   * Creates the conversation, its participants, its first message (when given) and the case
   * row in one transaction.
   */
  open(conversation: NewConversation, supportCase: NewSupportCase, first?: Omit<NewMessage, 'conversationId'>): Promise<{ conversation: Conversation; supportCase: SupportCase; message: Message | undefined }>;
  byConversation(conversationId: string): Promise<SupportCase | undefined>;
  /** Newest first. */
  list(query: CaseListQuery): Promise<SupportCase[]>;
  /**
   * Assigns the agent and moves the case to `active`, only if its status is one of `from` (and,
   * for a claim, no agent holds it). Resolves the updated case, or `undefined` when another
   * change won the race. The agent becomes a participant in the same transaction;
   * `agentJoined` says whether they were not one already. Every case change writes its `jobs`
   * (webhook events) in its own transaction, and only when it happened.
   */
  assign(conversationId: string, agentId: string, reason: string, options: { from: readonly CaseStatus[]; onlyUnassigned: boolean; note?: CaseNote; jobs?: readonly NewJob[] }): Promise<CaseChange & { agentJoined: boolean } | undefined>;
  /**
   * Moves the case to `to` only from one of `from`, stamping `stamp` with now, and sets the
   * conversation's status with it when `conversationStatus` is given; `undefined` when the
   * status was not in `from`.
   */
  transition(conversationId: string, from: readonly CaseStatus[], to: CaseStatus, stamp: 'resolved_at' | 'closed_at' | null, options?: { clearAgent?: boolean; conversationStatus?: string; note?: CaseNote; jobs?: readonly NewJob[] }): Promise<CaseChange | undefined>;
  /** Moves the case to another queue (and back to waiting without an agent when `unassign`). */
  moveQueue(conversationId: string, queue: string, unassign: boolean, note?: CaseNote, jobs?: readonly NewJob[]): Promise<CaseChange | undefined>;
  /**
   * Stamps the first staff response: keeps the earliest `at` it was ever given, so calls in any
   * order, and repeated calls, leave the same stamp.
   */
  recordFirstResponse(conversationId: string, at: string): Promise<void>;
  /** Records the requester's rating once, only for resolved or closed cases; false otherwise (and then writes no `jobs`). */
  rate(conversationId: string, score: number, comment: string | null, jobs?: readonly NewJob[]): Promise<boolean>;
  /** Active cases per agent, for the given agents (agents with none are absent). */
  activeCounts(agentIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * The agent of the queue's most recently accepted active case, or `undefined` when it has
   * none: the turn of round-robin assignment, shared by every node.
   */
  lastAssignedAgent(queue: string): Promise<string | undefined>;
  /** Waiting cases of a queue, highest priority first, then oldest. */
  backlog(queue: string, limit: number): Promise<SupportCase[]>;
  /** Waiting count and oldest waiting case creation time of a queue. */
  queueStats(queue: string): Promise<{ waiting: number; oldestWaitingSince: string | null }>;
}

export type ReportState = 'open' | 'actioned' | 'dismissed';

export interface MessageReport {
  readonly id: string;
  readonly messageId: string;
  readonly conversationId: string;
  /** A user id, or `system:<rule>` for a report the server filed. */
  readonly reporterId: string;
  readonly reason: string;
  readonly note: string | null;
  readonly state: ReportState;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
  readonly resolvedBy: string | null;
}

/** One line of the review queue: a message and every report of it in the asked state. */
export interface ReportedMessage {
  readonly messageId: string;
  readonly conversationId: string;
  readonly reports: readonly MessageReport[];
  readonly firstReportedAt: string;
}

/** Where a page of the review queue ends: its last line's first report time and message. */
export type QueuePosition = Pick<ReportedMessage, 'firstReportedAt' | 'messageId'>;

/** One append-only line of the audit log; written in the transaction of the action it records. */
export interface AuditEntry {
  readonly id: string;
  /** Null when the server acted by itself (auto-hide). */
  readonly actorId: string | null;
  readonly action: string;
  readonly targetType: 'message' | 'user' | 'conversation' | 'blocklist' | 'restriction';
  readonly targetId: string;
  readonly reason: string | null;
  readonly params: Json;
  readonly createdAt: string;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'createdAt'>;

export type RestrictionKind = 'ban' | 'mute';

export interface Restriction {
  readonly id: string;
  readonly kind: RestrictionKind;
  readonly userId: string;
  /** Null: everywhere (bans only). */
  readonly conversationId: string | null;
  /** A shadow ban: the user may send, and only they (and moderators) see what they send. */
  readonly shadow: boolean;
  readonly reason: string;
  /** Null: until lifted. */
  readonly until: string | null;
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly liftedAt: string | null;
  readonly liftedBy: string | null;
}

export type NewRestriction = Pick<Restriction, 'kind' | 'userId' | 'conversationId' | 'shadow' | 'reason' | 'until' | 'createdBy'>;

export type BlocklistAction = 'block' | 'mask' | 'flag';

export interface BlocklistTerm {
  readonly term: string;
  readonly action: BlocklistAction;
}

export interface NewReport {
  readonly messageId: string;
  readonly conversationId: string;
  readonly reporterId: string;
  readonly reason: string;
  readonly note: string | null;
}

export interface ReportOutcome {
  readonly report: MessageReport;
  /** False when this reporter had already reported the message: the first report is returned. */
  readonly created: boolean;
  /** Distinct people (not the server) with an open report of the message, this one included. */
  readonly openReporters: number;
  /** The message, hidden now if this report reached the auto-hide threshold. */
  readonly message: Message;
  readonly autoHidden: boolean;
}

/** What a moderator's action on a reported message does, in one transaction with its audit line. */
export interface MessageAction {
  readonly messageId: string;
  readonly patch: MessagePatch;
  /** The state the message's open reports move to; undefined leaves them as they are. */
  readonly resolveReports?: Exclude<ReportState, 'open'>;
  readonly by: string | null;
  readonly audit: NewAuditEntry;
  /** Outbox jobs the action owes (its webhook event), written in its transaction. */
  readonly jobs?: readonly NewJob[];
}

/** The outbox jobs a report owes, once it is known whether it was filed and hid the message. */
export type ReportJobs = (filed: { readonly reportId: string; readonly created: boolean; readonly autoHidden: boolean }) => readonly NewJob[];

export interface ModerationRepository {
  /**
   * Files a report (one per reporter and message; a repeat returns the first) and marks the
   * message reported. When `autoHideAt` distinct people have open reports of it, the message
   * is hidden in the same transaction, with an audit line by the server.
   */
  report(input: NewReport, autoHideAt: number, jobs?: ReportJobs): Promise<ReportOutcome>;
  /** Reported messages with reports in `state`, the longest waiting first. */
  /**
   * Reported messages, first reported first. `after` is the last line of the previous page: first
   * report times tie to the millisecond, so the message id breaks the tie.
   */
  queue(query: { readonly state: ReportState; readonly limit: number; readonly after?: QueuePosition }): Promise<ReportedMessage[]>;
  reportsOf(messageId: string): Promise<MessageReport[]>;
  /** Changes the message, settles its open reports and appends the audit line, all or nothing. */
  actOnMessage(action: MessageAction): Promise<{ message: Message; settled: number }>;
  restrict(input: NewRestriction, audit: Omit<NewAuditEntry, 'targetId'>): Promise<Restriction>;
  /** Lifts a restriction that is still in force; undefined when there is none by that id. */
  lift(id: string, by: string | null, audit: Omit<NewAuditEntry, 'targetId'>): Promise<Restriction | undefined>;
  /** Restrictions of the user in force at `at`, everywhere and in every conversation. */
  restrictionsInForce(userId: string, at: string): Promise<Restriction[]>;
  listRestrictions(query: { readonly kind?: RestrictionKind; readonly userId?: string; readonly activeAt?: string; readonly limit: number }): Promise<Restriction[]>;
  blocklist(): Promise<BlocklistTerm[]>;
  /** Replaces the terms of one action (the others stay), with an audit line. */
  replaceBlocklist(action: BlocklistAction, terms: readonly string[], audit: NewAuditEntry): Promise<void>;
  /** Returns false when the block already existed. */
  block(blockerId: string, blockedId: string): Promise<boolean>;
  unblock(blockerId: string, blockedId: string): Promise<boolean>;
  blocksBy(blockerId: string): Promise<{ userId: string; createdAt: string }[]>;
  /** Which of `blockerIds` block `blockedId`. */
  blockersAmong(blockedId: string, blockerIds: readonly string[]): Promise<string[]>;
  /** Sets a conversation's slow mode and appends the audit line, all or nothing. */
  setSlowMode(conversationId: string, seconds: number, audit: NewAuditEntry): Promise<Conversation>;
  /** Appends an audit line on its own (actions without other writes). */
  audit(entry: NewAuditEntry): Promise<AuditEntry>;
  /** The audit log, newest first; `before` is an entry id (a page cursor). */
  auditLog(query: { readonly limit: number; readonly before?: string; readonly actorId?: string; readonly action?: string }): Promise<AuditEntry[]>;
}

/**
 * What an analytics question is about: the half-open range `[from, to)` of ISO-8601 UTC
 * instants, and optionally one conversation type and one support queue (a queue narrows to the
 * conversations that are its cases).
 */
export interface AnalyticsScope {
  readonly from: string;
  readonly to: string;
  readonly type?: string;
  readonly queue?: string;
}

/** Conversations of one type. */
export interface RoomCounts {
  readonly type: string;
  /** Created before `to`. */
  readonly total: number;
  /** Created within the range. */
  readonly created: number;
  /** With at least one message within the range. */
  readonly active: number;
  /** Of `total`, those not closed now. */
  readonly open: number;
}

/** Messages of one UTC day, conversation type and sender role. */
export interface DailyMessageCount {
  /** `YYYY-MM-DD`. */
  readonly day: string;
  readonly type: string;
  /** The sender's participant role in the conversation; `system` for server notes (no sender). */
  readonly senderRole: string;
  readonly count: number;
}

/** Current participants of one role and what they have not read. */
export interface UnreadBacklog {
  readonly role: string;
  readonly participants: number;
  /** Σ (conversation `last_seq` − participant `last_read_seq`). */
  readonly unread: number;
}

/** What a support case's history says for its cycles, in seq order. */
export interface CaseEvent {
  readonly seq: number;
  readonly at: string;
  /** `reopened`: the case's reopen note; `reply`: a message of someone other than the requester, not a system or bot message. */
  readonly type: 'reopened' | 'reply';
  readonly senderId: string | null;
}

export interface CaseHistory {
  readonly conversationId: string;
  readonly queue: string;
  readonly requesterId: string;
  readonly assignedAgentId: string | null;
  readonly createdAt: string;
  /** The latest resolution (a reopened case resolved again keeps the later one). */
  readonly resolvedAt: string | null;
  readonly csatScore: number | null;
  readonly events: readonly CaseEvent[];
}

/**
 * Read-only aggregate queries for reports. Each method reads committed data only and writes
 * nothing; counts and sums are computed by the database. None of them is meant for a request
 * path other than an administrator's report.
 */
export interface AnalyticsRepository {
  /** Conversations per type within the scope's type and queue, types in name order. */
  rooms(scope: AnalyticsScope): Promise<RoomCounts[]>;
  /** Messages created within the range, per UTC day, conversation type and sender role, ordered by all three. */
  messagesPerDay(scope: AnalyticsScope): Promise<DailyMessageCount[]>;
  /** Distinct users who sent at least one message within the range. */
  activeUsers(scope: AnalyticsScope): Promise<number>;
  /** Now, not over the range: current participants per role (name order) and their unread messages. */
  unreadBacklog(scope: Omit<AnalyticsScope, 'from' | 'to'>): Promise<UnreadBacklog[]>;
  /**
   * Delivery latency of the messages created within the range that have been delivered to
   * someone other than their sender: first delivery minus creation, in whole milliseconds.
   * Returns how many there are and, for each fraction in `percentiles` (0 < p ≤ 1), the
   * nearest-rank percentile (the value at rank ⌈p·n⌉ in ascending order), or null when none.
   */
  deliveryLatency(scope: AnalyticsScope, percentiles: readonly number[]): Promise<{ readonly count: number; readonly values: readonly (number | null)[] }>;
  /** Support cases opened within the range (and queue), oldest first, each with its reopen notes and replies. */
  caseHistories(scope: AnalyticsScope): Promise<CaseHistory[]>;
}

/**
 * Which conversations a caller may read now, as a set a query can select (decided by
 * `ConversationAccess.readScope`, never here): every conversation, or those the user takes part
 * in plus the support cases of the queues whose staff they are.
 */
export type ReadScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'member'; readonly userId: string; readonly supportQueues: readonly string[] };

export interface MessageSearchQuery {
  /** Folded by `normaliseForSearch`, at least 3 characters: found anywhere inside a message's folded text. */
  readonly text: string;
  readonly scope: ReadScope;
  /** The searcher: their own shadowed messages match, nobody else's do. Undefined for a host app's backend. */
  readonly viewerId: string | undefined;
  readonly conversationId?: string;
  /** Conversations whose context is of this type. */
  readonly contextType?: string;
  readonly senderId?: string;
  /** ISO instants: created strictly before / strictly after. */
  readonly before?: string;
  readonly after?: string;
  /** The `position` of the last hit of the previous page: only hits older than it. */
  readonly cursor?: string;
  readonly limit: number;
}

export interface SearchHit {
  readonly message: Message;
  /** Where the hit stands in the newest-first order, opaque; the cursor of the next page. */
  readonly position: string;
}

/** Substring search of message text (docs/search.md). */
export interface SearchRepository {
  /**
   * Messages whose folded text contains `query.text`, newest first, at most `limit`, inside the
   * scope and the filters. Hidden and deleted messages never match; a shadowed one matches only
   * for its sender. A `cursor` that is no position of this store throws `validation_failed`.
   */
  messages(query: MessageSearchQuery): Promise<SearchHit[]>;
  /**
   * Where the index catches up after the commit (SQLite), indexes up to `limit` messages
   * committed since it last did; resolves how many it passed, 0 once current. Searches find a
   * message before and after. Always 0 where the database indexes on its own (PostgreSQL).
   */
  catchUp(limit: number): Promise<number>;
}

/** Where a delivery stands: being attempted, done (a 2xx), or given up. */
export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** A host app's receiver of events. */
export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  /** Event types it receives (`message.created`…). */
  readonly events: readonly string[];
  readonly description: string | null;
  /** `whsec_` and the base64 of the signing key. */
  readonly secret: string;
  /** Set when it was disabled (a 410, five days of failures); a disabled endpoint gets nothing. */
  readonly disabledAt: string | null;
  readonly disabledReason: string | null;
  /** The first failed attempt since its last success; null while it succeeds. */
  readonly failingSince: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type NewWebhookEndpoint = Pick<WebhookEndpoint, 'id' | 'url' | 'events' | 'description' | 'secret'>;

export interface WebhookEndpointPatch {
  readonly url?: string;
  readonly events?: readonly string[];
  readonly description?: string | null;
  readonly secret?: string;
  /** True clears `disabledAt` (and the failure streak); false disables it with `disabledReason`. */
  readonly enabled?: boolean;
  readonly disabledReason?: string;
}

/** One event for one endpoint. Its id is the `webhook-id` header of every attempt. */
export interface WebhookDelivery {
  readonly id: string;
  readonly endpointId: string;
  readonly eventType: string;
  /** The body, exactly as every attempt sends it. */
  readonly payload: string;
  readonly status: WebhookDeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly deliveredAt: string | null;
}

export type NewWebhookDelivery = Pick<WebhookDelivery, 'id' | 'endpointId' | 'eventType' | 'payload'>;

/** What one attempt ended in. */
export interface WebhookAttempt {
  readonly at: string;
  readonly status: WebhookDeliveryStatus;
  readonly statusCode: number | null;
  readonly error: string | null;
  /** When the next attempt is due (status `pending` only). */
  readonly nextAttemptAt: string | null;
}

export interface WebhookRepository {
  createEndpoint(endpoint: NewWebhookEndpoint): Promise<WebhookEndpoint>;
  endpoint(id: string): Promise<WebhookEndpoint | undefined>;
  /** Every endpoint, oldest first. */
  endpoints(): Promise<WebhookEndpoint[]>;
  /** Resolves the endpoint as changed, or `undefined` when there is none by that id. */
  updateEndpoint(id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpoint | undefined>;
  /** Deletes the endpoint and its deliveries; false when there was none. */
  deleteEndpoint(id: string): Promise<boolean>;
  /** The event types at least one enabled endpoint receives. */
  subscribedTypes(): Promise<string[]>;
  /**
   * Writes the deliveries (status `pending`) and, in the same transaction, the outbox job of
   * each one's first attempt (kind `jobKind`, subject the delivery id). A delivery whose id
   * exists already is skipped with its job, so making the same deliveries again is harmless.
   */
  createDeliveries(deliveries: readonly NewWebhookDelivery[], jobKind: string): Promise<void>;
  delivery(id: string): Promise<WebhookDelivery | undefined>;
  /** An endpoint's deliveries, newest first; `before` is the id of the last one of the previous page. */
  deliveries(endpointId: string, query: { readonly status?: WebhookDeliveryStatus; readonly limit: number; readonly before?: string }): Promise<WebhookDelivery[]>;
  /**
   * Records one attempt (one more in `attempts`) and the endpoint's failure streak with it: a
   * success clears `failingSince`, a failure sets it unless it is set. Resolves the endpoint
   * as it is afterwards.
   */
  recordAttempt(deliveryId: string, attempt: WebhookAttempt): Promise<WebhookEndpoint | undefined>;
  /**
   * Sends a delivery again: back to `pending` with no attempts, and a new job for it written
   * in the same transaction. `undefined` when the delivery is unknown or still pending.
   */
  redeliver(deliveryId: string, jobKind: string, at: string): Promise<WebhookDelivery | undefined>;
}

/** A channel an escalation step reaches the recipient through. */
export type NotificationChannelName = 'push' | 'email' | 'sms_webhook';

/** One step of a delivery escalation, as resolved from the policy file or `NOTIFICATION_STEPS`. */
export interface EscalationStep {
  /** Delay after the batch's first message, in ms. */
  readonly afterMs: number;
  readonly channel: NotificationChannelName;
  /** `high` marks an emergency step: it fires in muted conversations and in quiet hours. */
  readonly urgency: 'normal' | 'high';
  /** Which pointer must still be behind for the step to fire. */
  readonly until: 'delivered' | 'read';
}

/** A feed entry: one recipient's missed messages of one conversation, one batch at a time. */
export interface Notification {
  readonly id: string;
  readonly userId: string;
  readonly conversationId: string;
  /** Seq of the batch's first message. */
  readonly fromSeq: number;
  /** Seq of its newest message so far. */
  readonly toSeq: number;
  readonly messageCount: number;
  readonly lastMessageId: string;
  /** The escalation the batch was opened with; later policy changes do not rewrite it. */
  readonly steps: readonly EscalationStep[];
  /** `open` while steps may still fire and new messages join it. */
  readonly state: 'open' | 'done';
  readonly firstMessageAt: string;
  readonly readAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What became of one escalation step. */
export interface NotificationDelivery {
  /** The step's job id: one delivery per step of a batch. */
  readonly id: string;
  readonly notificationId: string;
  readonly userId: string;
  readonly conversationId: string;
  readonly step: number;
  readonly channel: NotificationChannelName;
  readonly outcome: 'sent' | 'skipped' | 'failed';
  /** Why it was skipped or failed (`caught_up`, `preference`, `quiet_hours`, `no_address`…). */
  readonly reason: string | null;
  readonly toSeq: number;
  readonly createdAt: string;
}

export interface PushSubscription {
  readonly endpoint: string;
  readonly userId: string;
  readonly p256dh: string;
  readonly auth: string;
  readonly deviceId: string | null;
  readonly createdAt: string;
}

export interface QuietHours {
  /** `HH:MM`, local to `timeZone`. */
  readonly start: string;
  readonly end: string;
  /** An IANA zone. @default "UTC" */
  readonly timeZone: string;
}

export interface NotificationSettings {
  readonly userId: string;
  readonly push: boolean;
  readonly email: 'immediate' | 'digest' | 'off';
  readonly quietHours: QuietHours | null;
  readonly mutedConversations: readonly string[];
  readonly updatedAt: string;
}

/** A recipient's share of the messages one scheduler run read. */
export interface BatchEntry {
  /** The id a new batch gets; ignored when one is open already. */
  readonly newId: string;
  readonly userId: string;
  /** The oldest and newest of the messages for this recipient. */
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly lastMessageId: string;
  /** How many messages of the range are for this recipient (the count a new batch starts with). */
  readonly messageCount: number;
  /** When the oldest of them was written: a new batch's steps are timed from it. */
  readonly firstMessageAt: string;
  readonly steps: readonly EscalationStep[];
}

/** How far the scheduler had read a conversation, and how far this run read it. */
export interface ScheduleCursor {
  readonly from: number;
  readonly through: number;
}

export interface NotificationRepository {
  /** How far the scheduler has read the conversation (0 before its first run). */
  scheduledThrough(conversationId: string): Promise<number>;
  /**
   * Moves the conversation's schedule cursor from `cursor.from` to `cursor.through` and, in the
   * same transaction, adds each entry to its recipient's open batch of the conversation, or opens
   * one (with `newId`) and writes `firstJob` for it. A range already counted (not past the
   * batch's `toSeq`) changes nothing. `undefined`, with nothing written, when the cursor was not
   * at `cursor.from` (another run read the range first).
   */
  scheduleBatches(conversationId: string, cursor: ScheduleCursor, entries: readonly BatchEntry[], firstJob: (entry: BatchEntry, notificationId: string) => NewJob | undefined): Promise<{ readonly notification: Notification; readonly opened: boolean }[] | undefined>;
  byId(id: string): Promise<Notification | undefined>;
  /** The user's feed, newest activity first; `unread` keeps only entries not read. */
  list(userId: string, query: { readonly unread?: boolean; readonly limit: number; readonly before?: string }): Promise<Notification[]>;
  /** Marks the user's entries read (`ids` of other users are ignored) and closes their batches; returns those changed. */
  markRead(userId: string, ids: readonly string[] | 'all', at: string): Promise<Notification[]>;
  /** The user read the conversation up to `seq`: entries it covers are read and closed; returns those changed. */
  readThrough(userId: string, conversationId: string, seq: number, at: string): Promise<Notification[]>;
  /** The recorded outcome of a step, by its job id. */
  delivery(id: string): Promise<NotificationDelivery | undefined>;
  /** Deliveries to a user in a conversation, oldest first. */
  deliveries(userId: string, conversationId: string): Promise<NotificationDelivery[]>;
  /**
   * Records a step's outcome and, in the same transaction, writes the next step's job or, with
   * none, closes the batch (`close`). Recording a step twice keeps the first record.
   */
  recordStep(delivery: NotificationDelivery, next: { readonly job?: NewJob; readonly close: boolean }): Promise<void>;
  /** Adds or replaces the subscription of an endpoint (a browser moved to another user takes it along). */
  subscribe(subscription: Omit<PushSubscription, 'createdAt'>): Promise<PushSubscription>;
  /** Removes the user's subscription of `endpoint`; false when they had none. */
  unsubscribe(userId: string, endpoint: string): Promise<boolean>;
  subscriptions(userId: string): Promise<PushSubscription[]>;
  /** Deletes a subscription the push service says is gone (404/410), whoever holds it. */
  dropSubscription(endpoint: string): Promise<void>;
  /** The user's saved settings; `undefined` means the defaults. */
  settings(userId: string): Promise<NotificationSettings | undefined>;
  /** The saved settings of those users who have any, by user id. */
  settingsOf(userIds: readonly string[]): Promise<Map<string, NotificationSettings>>;
  /** Which of these users have at least one push subscription. */
  subscribedUsers(userIds: readonly string[]): Promise<Set<string>>;
  saveSettings(settings: Omit<NotificationSettings, 'updatedAt'>): Promise<NotificationSettings>;
}
