import type { DomainEvent } from './domain-event.js';

export type BusHandler = (event: DomainEvent, topic: string) => void;

/**
 * Publish/subscribe of domain events by topic. Delivery is at most once and may be lost when a
 * node or the broker fails; clients heal by syncing from their last seq, so nothing correct
 * rests on the bus.
 */
export interface Bus {
  /** Sends the event to every subscriber of the topic, on every node. */
  publish(topic: string, event: DomainEvent): Promise<void>;
  /**
   * Calls `handler` for each event published to the topic from now on. Returns a function that
   * removes this subscription (and the node's interest in the topic once none remain).
   */
  subscribe(topic: string, handler: BusHandler): () => void;
  /** Stops delivery and releases connections. */
  close(): Promise<void>;
}
