import type { Logger } from 'pino';
import type { Bus } from './bus/bus.js';
import { topics } from './bus/domain-event.js';
import { MemoryBus } from './bus/memory-bus.js';
import { ConversationAccess } from './conversations/conversation-access.js';
import { ConversationService } from './conversations/conversation.service.js';
import { ContextEntryService } from './conversations/context-entry.service.js';
import { ContextEventService } from './conversations/context-event.service.js';
import { HostAccess } from './conversations/host-access.js';
import type { Config } from './core/config.js';
import { AuthService } from './identity/auth.service.js';
import { CredentialCache } from './identity/credential-cache.js';
import { TokenService } from './identity/token-service.js';
import { SendRateLimit } from './limits/send-rate-limit.js';
import { MessageService } from './messages/message.service.js';
import { loadPolicy, type Policy } from './policy/policy.js';
import { openStore } from './storage/open-store.js';
import type { Store } from './storage/store.js';
import { UserService } from './users/user.service.js';
import type { AttachmentService } from './attachments/attachment.service.js';
import { createAttachmentService } from './attachments/create-attachment-service.js';
import { createAttachmentScanJob } from './attachments/scanning/create-attachment-scan-job.js';
import { PresenceService } from './presence/presence.service.js';
import { MemoryPresence, type PresenceTracker } from './realtime/presence.js';
import { RedisPresence, type PresenceResync } from './realtime/redis-presence.js';
import { RedisBus } from './bus/redis-bus.js';
import { closeRedisClient, createRedisClient, pingRedis } from './bus/redis-client.js';
import { createRedisSendLimiter } from './limits/redis-send-limiter.js';
import { LoginThrottle, loginThrottleOptions } from './limits/login-throttle.js';
import { createRedisLoginLimiters } from './limits/redis-login-limiters.js';
import { SupportService } from './support/support.service.js';
import { AssignmentService } from './support/assignment.service.js';
import { SupportQueues } from './support/support-queues.js';
import { TypingService } from './typing/typing.service.js';
import { SupportRoomsService } from './support/support-rooms.service.js';
import type { Directory, EventSource } from './edge-services.js';
import { JobRunner } from './jobs/job-runner.js';
import { AfterCommitPublisher } from './messages/after-commit-publisher.js';
import { firstResponseJob } from './support/first-response.job.js';
import type { Metrics } from './ops/metrics.js';
import { ModerationService } from './moderation/moderation.service.js';
import { AnalyticsService } from './analytics/analytics.service.js';
import { SearchIndexer } from './search/search-indexer.js';
import { SearchService } from './search/search.service.js';
import { SlowMode } from './moderation/slow-mode.js';
import { Readiness } from './ops/readiness.js';
import { createWebhooks, type WebhookService } from './webhooks/index.js';
import { createNotifications } from './notifications/create-notifications.js';
import type { NotificationService } from './notifications/notification.service.js';

/** Everything a gateway may call: the operations, and the ports beneath them. */
export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly bus: Bus;
  readonly policy: Policy;
  readonly tokens: TokenService;
  readonly auth: AuthService;
  readonly access: ConversationAccess;
  readonly users: UserService;
  readonly conversations: ConversationService;
  /** Entering a host object's conversation by the object's id (registered, or asked of the host). */
  readonly contexts: ContextEntryService;
  /** The host app's business events about its objects, written as system messages in their rooms. */
  readonly contextEvents: ContextEventService;
  readonly messages: MessageService;
  readonly attachments: AttachmentService;
  readonly typing: TypingService;
  readonly presence: PresenceService;
  readonly support: SupportService;
  readonly assignment: AssignmentService;
  readonly supportRooms: SupportRoomsService;
  readonly moderation: ModerationService;
  /** The caller's notification feed, push subscriptions and preferences. */
  readonly notifications: NotificationService;
  /** Instance-wide reports, for administrators. */
  readonly analytics: AnalyticsService;
  /** Message search in the conversations the caller may read now. */
  readonly search: SearchService;
  /** Webhook endpoints and their deliveries. */
  readonly webhooks: WebhookService;
  /** Read-only lookups for presentation at the edge. */
  readonly directory: Directory;
  /** Subscribe-only view of the bus, for gateways. */
  readonly events: EventSource;
  /** Whether this node's dependencies answer now (`/ready`). */
  readonly readiness: Readiness;
  /** This node's outbox runner; absent when `jobsEnabled` is off (an API-only node). */
  readonly jobs: JobRunner | undefined;
  /** Counts what only gets counted (job outcomes, failed publications) in the app's metrics. */
  reportTo(metrics: Pick<Metrics, 'jobs' | 'publishFailures' | 'notifications' | 'notificationLatency'>): void;
  /** Stops the job runner (running jobs finish first), then releases the store and the bus. */
  close(): Promise<void>;
}

/** How often a node looks for users of crashed nodes (shared presence only). */
const PRESENCE_SWEEP_MS = 10_000;
/** How often unclaimed uploads past their time are deleted (at most; sooner for short TTLs). */
const UPLOAD_PURGE_MS = 600_000;
/** How often expired opaque sessions are deleted. */
const SESSION_PURGE_MS = 3_600_000;

/** The Redis-backed bus, presence and send limiter that make several nodes behave as one. */
function createClusterParts(url: string, config: Config, logger: Logger, onResync: (change: PresenceResync) => void) {
  const onError = (err: Error) => logger.warn({ err }, 'redis');
  const keyPrefix = config.redisKeyPrefix;
  // Every connection bounds its commands: a stalled Redis degrades the node, never stops it.
  const commandTimeoutMs = config.redisCommandTimeoutMs;
  const limiterClient = createRedisClient({ url, connectionName: 'switchboard-limits', onError, commandTimeoutMs });
  const bus = new RedisBus({ url, keyPrefix, onError, commandTimeoutMs });
  return {
    bus,
    presence: new RedisPresence({ url, keyPrefix, onError, onResync, commandTimeoutMs, ttlMs: config.presenceTtlSeconds * 1000, heartbeatMs: config.presenceHeartbeatSeconds * 1000 }),
    limiter: createRedisSendLimiter(limiterClient, { points: config.sendRatePoints, windowSeconds: config.sendRateWindowSeconds, keyPrefix, timeoutMs: commandTimeoutMs }),
    // One message per conversation's cooldown; each consume sets its own window (SlowMode).
    slowModeLimiter: createRedisSendLimiter(limiterClient, { points: 1, windowSeconds: 1, keyPrefix, timeoutMs: commandTimeoutMs, name: 'slow' }),
    ping: async () => {
      await Promise.all([pingRedis(limiterClient, 'limiter'), bus.ping()]);
    },
    loginLimiters: createRedisLoginLimiters(limiterClient, { ...loginThrottleOptions(config), keyPrefix }),
    close: () => closeRedisClient(limiterClient),
  };
}

export interface ServiceOverrides {
  readonly store?: Store;
  readonly bus?: Bus;
  readonly presence?: PresenceTracker;
}

/** Wires the services for a configuration. Opening the store applies migrations. */
export async function createServices(config: Config, logger: Logger, overrides: ServiceOverrides = {}): Promise<Services> {
  const policy = loadPolicy(config.policyFile);
  const store = overrides.store ?? (await openStore(config));
  // Presence is built later from the tracker; a resync before then has nothing to announce to.
  let presenceRef: PresenceService | undefined;
  const cluster = config.redisUrl === undefined ? undefined : createClusterParts(config.redisUrl, config, logger, (change) => void presenceRef?.resynced(change));
  const bus = overrides.bus ?? cluster?.bus ?? new MemoryBus((err, topic, event) => logger.error({ err, topic, event: event.type }, 'bus: a subscriber failed on an event'));
  const tokens = new TokenService(config);
  const access = new ConversationAccess(store, policy);
  const attachments = createAttachmentService({ config, store, access, jobsWritten: () => jobs?.nudge() });
  const sendRateLimit = new SendRateLimit({ points: config.sendRatePoints, windowSeconds: config.sendRateWindowSeconds }, cluster?.limiter);
  const publisher = new AfterCommitPublisher(bus, logger);
  // Side effects a committed message may owe; each is a job kind with its planner and handler.
  const webhooks = createWebhooks({ config, store, policy, logger, jobsWritten: () => jobs?.nudge() });
  const notifications = createNotifications({ config, store, policy, publisher, logger });
  const handledMessageJobs = [firstResponseJob(store), webhooks.messageJob, notifications.messageJob];
  // NOTIFICATIONS_ENABLED=false stops new schedules; jobs written before still find their handler.
  const messageJobs = config.notificationsEnabled ? handledMessageJobs : handledMessageJobs.filter((job) => job !== notifications.messageJob);
  const jobs = config.jobsEnabled ? new JobRunner(store.outbox, { pollMs: config.jobPollMs, maxAttempts: config.jobMaxAttempts, logger }) : undefined;
  for (const job of handledMessageJobs) jobs?.register(job.kind, job.handle);
  webhooks.registerJobs(jobs);
  if (jobs) notifications.register(jobs);
  // With CLAMD_URL, every upload owes a virus scan, written with its record (docs/virus-scanning.md).
  const attachmentScan = createAttachmentScanJob({ config, store, publisher, logger });
  if (attachmentScan) jobs?.register(attachmentScan.kind, attachmentScan.handle);
  const typing = new TypingService(bus, access, config.typingTimeoutSeconds * 1000);
  const moderation = new ModerationService(store, publisher, policy, access, new SlowMode(cluster?.slowModeLimiter), { autoHideReports: config.moderationAutoHideReports, moderationCacheMs: config.moderationCacheMs }, webhooks.events);
  const flagJob = moderation.flagJob();
  jobs?.register(flagJob.kind, flagJob.handle);
  const messages = new MessageService(store, publisher, policy, access, config, sendRateLimit, attachments, { jobs: messageJobs, jobsWritten: (delayMs) => jobs?.nudge(delayMs), logger, typing, changes: webhooks.events, ...(config.notificationsEnabled && { readJobs: notifications.readJobs }) }, moderation, webhooks.preSend);
  const tracker = overrides.presence ?? cluster?.presence ?? new MemoryPresence();
  const presence = new PresenceService(tracker, bus, store, logger);
  presenceRef = presence;
  const stopSweeping = presence.startSweeping(Math.min(PRESENCE_SWEEP_MS, config.presenceHeartbeatSeconds * 1000));
  // Every node purges; a record is deleted only while still unclaimed, so nodes cannot collide.
  // Orphaned bytes (a crash mid-upload) are swept at start and on the same schedule.
  const sweepUploads = () => {
    attachments.purgeUnclaimed().then(
      (n) => n > 0 && logger.info({ deleted: n }, 'unclaimed uploads deleted'),
      (err: unknown) => logger.warn({ err }, 'unclaimed upload purge failed'),
    );
    attachments.sweepOrphans().then(
      ({ partial, orphaned }) => partial + orphaned > 0 && logger.info({ partial, orphaned }, 'orphaned upload bytes deleted'),
      (err: unknown) => logger.warn({ err }, 'orphaned upload sweep failed'),
    );
  };
  sweepUploads();
  // Expired sessions are refused anyway; deleting them keeps the table to live ones.
  const purgeSessions = () => {
    store.sessions.purgeExpired(Math.floor(Date.now() / 1000)).catch((err: unknown) => logger.warn({ err }, 'expired session purge failed'));
  };
  const purgingSessions = setInterval(purgeSessions, SESSION_PURGE_MS);
  purgingSessions.unref();
  const purging = setInterval(sweepUploads, Math.min(UPLOAD_PURGE_MS, config.uploadUnclaimedTtlSeconds * 1000));
  purging.unref();
  // Background work like the outbox's: a CLI run or an API-only node leaves it to the node that runs jobs.
  const indexer = config.jobsEnabled ? new SearchIndexer(store.search, logger) : undefined;
  indexer?.start();
  const queues = new SupportQueues(policy);
  const assignment = new AssignmentService(store, tracker, policy, queues, logger, webhooks.events);
  const conversations = new ConversationService(store, publisher, policy, access, moderation, webhooks.events);
  const hostAccess = config.hostAccessUrl === undefined ? undefined : new HostAccess({ url: config.hostAccessUrl, secret: config.hostAccessSecret!, cacheMs: config.hostAccessCacheSeconds * 1000, timeoutMs: config.hostAccessTimeoutMs, logger });
  const contexts = new ContextEntryService(store, conversations, hostAccess);
  const contextEvents = new ContextEventService(conversations, messages, policy);
  const support = new SupportService(store, publisher, policy, access, messages, sendRateLimit, queues, assignment, conversations, moderation, webhooks.events);
  assignment.onAssigned((assigned, agent) => support.announceAssignment(assigned, 'assigned', null, agent));
  presence.onOnline((userId) => assignment.drainFor(userId));
  const supportRooms = new SupportRoomsService(policy, queues, support, messages, presence, store, publisher);
  const directory: Directory = { users: store.users, conversations: store.conversations, messages: store.messages, ping: () => store.ping() };
  // Each bound a little past the dependency's own timeout (a ping waits for a connection or for
  // an answer, rarely both), so that answers first and a probe is not left waiting for long.
  const readiness = new Readiness([
    { name: 'store', check: () => store.ping(), timeoutMs: Math.max(config.databaseConnectTimeoutMs, config.databaseStatementTimeoutMs + 1000) + 500 },
    ...(cluster ? [{ name: 'redis', check: cluster.ping, timeoutMs: config.redisCommandTimeoutMs * 2 + 500 }] : []),
  ]);
  const credentials = new CredentialCache({ maxAgeMs: config.authCacheMs });
  // One subscription for every user: sessions ended or a user changed on any node.
  bus.subscribe(topics.credentials, (event) => {
    if (event.type === 'sessions.revoked') credentials.forget(event.userId);
    else if (event.type === 'user.updated') credentials.forget(event.user.id);
  });
  const auth = new AuthService(store, tokens, config.apiKeys, publisher, new LoginThrottle(loginThrottleOptions(config), cluster?.loginLimiters), config, credentials);
  await webhooks.start();
  jobs?.start();
  return {
    config,
    logger,
    store,
    bus,
    policy,
    tokens,
    auth,
    access,
    users: new UserService(store, policy, auth),
    conversations,
    contexts,
    contextEvents,
    messages,
    attachments,
    typing,
    presence,
    support,
    assignment,
    supportRooms,
    moderation,
    notifications: notifications.service,
    analytics: new AnalyticsService(store, policy),
    search: new SearchService(store, access, (actor) => moderation.viewerOf(actor)),
    webhooks: webhooks.service,
    directory,
    readiness,
    events: bus,
    jobs,
    reportTo(metrics) {
      jobs?.onOutcome((kind, outcome) => metrics.jobs.inc({ kind, outcome }));
      publisher.onFailure((type) => metrics.publishFailures.inc({ type }));
      notifications.onOutcome((channel, outcome, step, latencyMs) => {
        metrics.notifications.inc({ channel, outcome });
        if (latencyMs !== undefined) metrics.notificationLatency.observe({ channel, step: String(step) }, latencyMs / 1000);
      });
    },
    async close() {
      await jobs?.stop();
      webhooks.stop();
      stopSweeping();
      clearInterval(purging);
      clearInterval(purgingSessions);
      await indexer?.stop();
      typing.close();
      notifications.close();
      await tracker.close();
      await bus.close();
      await cluster?.close();
      await store.close();
    },
  };
}
