import type { Logger } from 'pino';
import type { Bus } from './bus/bus.js';
import { MemoryBus } from './bus/memory-bus.js';
import { ConversationAccess } from './conversations/conversation-access.js';
import { ConversationService } from './conversations/conversation.service.js';
import type { Config } from './core/config.js';
import { AuthService } from './identity/auth.service.js';
import { TokenService } from './identity/token-service.js';
import { SendRateLimit } from './limits/send-rate-limit.js';
import { MessageService } from './messages/message.service.js';
import { loadPolicy, type Policy } from './policy/policy.js';
import { openStore } from './storage/open-store.js';
import type { Store } from './storage/store.js';
import { UserService } from './users/user.service.js';
import type { AttachmentService } from './attachments/attachment.service.js';
import { createAttachmentService } from './attachments/create-attachment-service.js';
import { PresenceService } from './presence/presence.service.js';
import { MemoryPresence, type PresenceTracker } from './realtime/presence.js';
import { RedisPresence, type PresenceResync } from './realtime/redis-presence.js';
import { RedisBus } from './bus/redis-bus.js';
import { closeRedisClient, createRedisClient } from './bus/redis-client.js';
import { createRedisSendLimiter } from './limits/redis-send-limiter.js';
import { SupportService } from './support/support.service.js';
import { AssignmentService } from './support/assignment.service.js';
import { SupportQueues } from './support/support-queues.js';
import { TypingService } from './typing/typing.service.js';

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
  readonly messages: MessageService;
  readonly attachments: AttachmentService;
  readonly typing: TypingService;
  readonly presence: PresenceService;
  readonly support: SupportService;
  readonly assignment: AssignmentService;
  /** Releases the store and the bus. */
  close(): Promise<void>;
}

/** How often a node looks for users of crashed nodes (shared presence only). */
const PRESENCE_SWEEP_MS = 10_000;
/** How often unclaimed uploads past their time are deleted (at most; sooner for short TTLs). */
const UPLOAD_PURGE_MS = 600_000;

/** The Redis-backed bus, presence and send limiter that make several nodes behave as one. */
function createClusterParts(url: string, config: Config, logger: Logger, onResync: (change: PresenceResync) => void) {
  const onError = (err: Error) => logger.warn({ err }, 'redis');
  const keyPrefix = config.redisKeyPrefix;
  const limiterClient = createRedisClient({ url, connectionName: 'switchboard-limits', onError });
  return {
    bus: new RedisBus({ url, keyPrefix, onError }),
    presence: new RedisPresence({ url, keyPrefix, onError, onResync, ttlMs: config.presenceTtlSeconds * 1000, heartbeatMs: config.presenceHeartbeatSeconds * 1000 }),
    limiter: createRedisSendLimiter(limiterClient, { points: config.sendRatePoints, windowSeconds: config.sendRateWindowSeconds, keyPrefix }),
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
  const bus = overrides.bus ?? cluster?.bus ?? new MemoryBus();
  const tokens = new TokenService(config);
  const access = new ConversationAccess(store, policy);
  const attachments = createAttachmentService({ config, store, access });
  const sendRateLimit = new SendRateLimit({ points: config.sendRatePoints, windowSeconds: config.sendRateWindowSeconds }, cluster?.limiter);
  const messages = new MessageService(store, bus, policy, access, config, sendRateLimit, attachments);
  const typing = new TypingService(bus, access, config.typingTimeoutSeconds * 1000);
  const tracker = overrides.presence ?? cluster?.presence ?? new MemoryPresence();
  const presence = new PresenceService(tracker, bus, store);
  presenceRef = presence;
  const stopSweeping = presence.startSweeping(Math.min(PRESENCE_SWEEP_MS, config.presenceHeartbeatSeconds * 1000));
  // Every node purges; a record is deleted only while still unclaimed, so nodes cannot collide.
  const purging = setInterval(() => {
    attachments.purgeUnclaimed().then(
      (n) => n > 0 && logger.info({ deleted: n }, 'unclaimed uploads deleted'),
      (err: unknown) => logger.warn({ err }, 'unclaimed upload purge failed'),
    );
  }, Math.min(UPLOAD_PURGE_MS, config.uploadUnclaimedTtlSeconds * 1000));
  purging.unref();
  const queues = new SupportQueues(policy);
  const assignment = new AssignmentService(store, tracker, policy, queues);
  const support = new SupportService(store, bus, policy, access, messages, sendRateLimit, queues, assignment);
  assignment.onAssigned((assigned, agent) => support.announceAssignment(assigned, 'assigned', null, agent, `Assigned to ${agent.displayName} (${assigned.supportCase.assignmentReason})`));
  messages.afterCommit((conversation, message) => support.noteMessage(conversation, message));
  presence.onOnline((userId) => assignment.drainFor(userId));
  const auth = new AuthService(store, tokens, config.apiKeys, bus);
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
    conversations: new ConversationService(store, bus, policy, access),
    messages,
    attachments,
    typing,
    presence,
    support,
    assignment,
    async close() {
      stopSweeping();
      clearInterval(purging);
      typing.close();
      await tracker.close();
      await bus.close();
      await cluster?.close();
      await store.close();
    },
  };
}
