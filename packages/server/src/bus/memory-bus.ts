import type { Bus, BusHandler } from './bus.js';
import type { DomainEvent } from './domain-event.js';

/** Told of a subscriber that threw while handling an event. */
export type HandlerErrorReporter = (error: unknown, topic: string, event: DomainEvent) => void;

/** The bus of a single node: a map from topic to handlers, delivered synchronously. */
export class MemoryBus implements Bus {
  private readonly handlers = new Map<string, Set<BusHandler>>();

  /** `onHandlerError` hears of every subscriber that threw; the others are still served. */
  constructor(private readonly onHandlerError: HandlerErrorReporter = () => {}) {}

  async publish(topic: string, event: DomainEvent): Promise<void> {
    this.deliver(topic, event);
  }

  /** Delivers to this node's subscribers; the Redis bus reuses it for events from the wire. */
  deliver(topic: string, event: DomainEvent): void {
    const set = this.handlers.get(topic);
    if (!set) return;
    for (const handler of set) {
      try {
        handler(event, topic);
      } catch (error) {
        // One faulty subscriber must not starve the others, and must not go unnoticed.
        this.onHandlerError(error, topic, event);
      }
    }
  }

  subscribe(topic: string, handler: BusHandler): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0) this.handlers.delete(topic);
    };
  }

  /** Number of topics with at least one subscriber. */
  get topicCount(): number {
    return this.handlers.size;
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
