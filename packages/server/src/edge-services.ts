import type { Bus } from './bus/bus.js';
import type { Services } from './services.js';
import type { ConversationRepository, MessageRepository, UserRepository } from './storage/store.js';

/**
 * Read-only lookups a wire shape needs for presentation (a sender's name, a session's unread
 * count) after the service has decided the caller may see the conversation. Nothing here writes.
 */
export interface Directory {
  readonly users: Pick<UserRepository, 'byId' | 'byIds'>;
  readonly conversations: Pick<ConversationRepository, 'byId' | 'participants' | 'summaryFor' | 'listForUser'>;
  /** For a message shown inside another (the one it replies to); pass what it returns through `visibleTo`. */
  readonly messages: Pick<MessageRepository, 'byIds'>;
  /** Resolves when the store answers (readiness). */
  ping(): Promise<void>;
}

/**
 * What gateways, routes and profiles may use: the operations, the directory, and events to
 * subscribe to. No store and no publishing: a write, a rule or an announcement made at the edge
 * would hold on one transport and not the others, so those stay in the services.
 */
export type EdgeServices = Omit<Services, 'store' | 'bus' | 'close' | 'reportTo' | 'jobs'>;

/** Subscribing to domain events, the one thing of the bus a gateway needs. */
export type EventSource = Pick<Bus, 'subscribe'>;
