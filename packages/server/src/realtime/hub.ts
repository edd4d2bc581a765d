import type { EventSource } from '../edge-services.js';
import type { DomainEvent } from '../bus/domain-event.js';
import { SeqOrder } from './seq-order.js';

/** What the hub needs of a connection: an identity to key subscriptions by. */
export interface Subscriber {
  readonly id: string;
}

export type Dispatch<C extends Subscriber> = (event: DomainEvent, topic: string, subscribers: ReadonlySet<C>) => void;

/**
 * Maps bus topics to this node's connections. One bus subscription per topic per node, however
 * many connections want it, so a message is decoded and rendered once per node, not once per
 * recipient; the gateway's `dispatch` gets the event with every local subscriber at once.
 * Messages of a topic are dispatched in seq order (`SeqOrder`), whichever node published them.
 */
export class Hub<C extends Subscriber> {
  private readonly subscribers = new Map<string, { readonly set: Set<C>; readonly order: SeqOrder; readonly off: () => void }>();
  private readonly topicsOf = new Map<string, Set<string>>();

  constructor(
    private readonly bus: EventSource,
    private readonly dispatch: Dispatch<C>,
  ) {}

  /**
   * Subscribes the connection to the topic; idempotent. `lastSeq`, when the caller just read the
   * conversation, tells a new subscription where the topic's messages stand.
   */
  add(connection: C, topic: string, lastSeq?: number): void {
    let entry = this.subscribers.get(topic);
    if (!entry) {
      const set = new Set<C>();
      const order = new SeqOrder((event) => this.dispatch(event, topic, set));
      const off = this.bus.subscribe(topic, (event) => order.accept(event));
      if (lastSeq !== undefined) order.seed(lastSeq);
      this.subscribers.set(topic, (entry = { set, order, off }));
    }
    entry.set.add(connection);
    let topics = this.topicsOf.get(connection.id);
    if (!topics) this.topicsOf.set(connection.id, (topics = new Set()));
    topics.add(topic);
  }

  remove(connection: C, topic: string): void {
    const entry = this.subscribers.get(topic);
    if (entry) {
      entry.set.delete(connection);
      if (entry.set.size === 0) {
        entry.off();
        entry.order.close();
        this.subscribers.delete(topic);
      }
    }
    this.topicsOf.get(connection.id)?.delete(topic);
  }

  has(connection: C, topic: string): boolean {
    return this.topicsOf.get(connection.id)?.has(topic) ?? false;
  }

  /** The local connections subscribed to a topic. */
  subscribersOf(topic: string): ReadonlySet<C> {
    return this.subscribers.get(topic)?.set ?? new Set();
  }

  /** Drops every subscription of a closing connection. */
  removeAll(connection: C): void {
    for (const topic of [...(this.topicsOf.get(connection.id) ?? [])]) this.remove(connection, topic);
    this.topicsOf.delete(connection.id);
  }

  /** Topics with at least one local subscriber. */
  get topicCount(): number {
    return this.subscribers.size;
  }
}
