import { randomUUID } from 'node:crypto';
import type { Bus, BusHandler } from './bus.js';
import { decodeEnvelope, encodeEnvelope } from './bus-envelope.js';
import type { DomainEvent } from './domain-event.js';
import { MemoryBus } from './memory-bus.js';

export interface ClusterBusOptions {
  /**
   * This node's id, stamped on every envelope it publishes. Must be unique among the nodes
   * sharing a broker: a node skips envelopes carrying its own id. @default a random UUID
   */
  readonly nodeId?: string;
  /**
   * Told about every event the broker did not take and every envelope that could not be decoded.
   * The bus never throws these at its callers (events may be lost; clients heal by syncing).
   * @default ignores them
   */
  readonly onError?: (error: Error) => void;
}

/**
 * The protocol half of a bus spanning several nodes (template method): envelopes, exactly-once
 * delivery, per-topic interest counting and local fan-out. A subclass only moves bytes through a
 * broker, by implementing `send`, `listen`, `unlisten` and `disconnect` and calling `receive`.
 *
 * Exactly once: a published event is delivered to this node's handlers directly, inside
 * `publish` (the same synchronous delivery as `MemoryBus`, which keeps local behaviour identical
 * to a single node and keeps local users served while the broker is down); the broker carries it
 * to the other nodes, and the envelope coming back to its own publisher is skipped by node id.
 */
export abstract class ClusterBus implements Bus {
  readonly nodeId: string;
  protected readonly reportError: (error: Error) => void;
  private readonly local: MemoryBus;
  /** Topic → number of live subscriptions on this node; the broker hears about 0 ↔ 1 only. */
  private readonly interest = new Map<string, number>();
  private closed = false;

  constructor(options: ClusterBusOptions = {}) {
    this.nodeId = options.nodeId ?? randomUUID();
    this.reportError = options.onError ?? (() => {});
    this.local = new MemoryBus((cause, topic, event) => this.reportError(new Error(`A subscriber of "${topic}" failed on "${event.type}": ${messageOf(cause)}`, { cause })));
  }

  /**
   * Delivers to this node's subscribers at once, then hands the event to the broker. Resolves
   * even when the broker refuses it (reported through `onError`): the event is already committed
   * state, so failing the caller would only turn a success into an error.
   */
  async publish(topic: string, event: DomainEvent): Promise<void> {
    if (this.closed) return;
    this.local.deliver(topic, event);
    try {
      await this.send(topic, encodeEnvelope({ type: 'event', node: this.nodeId, event }));
    } catch (cause) {
      this.reportError(new Error(`Bus event "${event.type}" on "${topic}" did not reach the other nodes: ${messageOf(cause)}`, { cause }));
    }
  }

  /**
   * Each call is its own subscription, even with a handler already subscribed, so every
   * unsubscribe function removes exactly what its subscribe added.
   */
  subscribe(topic: string, handler: BusHandler): () => void {
    if (this.closed) return () => {};
    const remove = this.local.subscribe(topic, (event, t) => handler(event, t));
    const count = (this.interest.get(topic) ?? 0) + 1;
    this.interest.set(topic, count);
    if (count === 1) this.listen(topic);
    let active = true;
    return () => {
      if (!active || this.closed) return;
      active = false;
      remove();
      this.release(topic);
    };
  }

  /** Stops delivery, forgets every subscription and closes the broker connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.interest.clear();
    await this.local.close();
    await this.disconnect();
  }

  /** For subclasses: bytes that arrived from the broker on a topic this node listens to. */
  protected receive(topic: string, payload: string): void {
    const decoded = decodeEnvelope(payload);
    if (!decoded.ok) {
      this.reportError(new Error(`Dropped an undecodable bus envelope on "${topic}": ${decoded.reason}`));
      return;
    }
    // Our own envelope: its handlers here were served inside publish().
    if (decoded.envelope.node === this.nodeId) return;
    this.local.deliver(topic, decoded.envelope.event);
  }

  /** For subclasses: the topics this node has subscribers for (to re-listen after reconnecting). */
  protected listenedTopics(): string[] {
    return [...this.interest.keys()];
  }

  /** Hands an encoded envelope to the broker; rejects when the broker does not take it. */
  protected abstract send(topic: string, payload: string): Promise<void>;
  /** Starts receiving the topic (first local subscriber). Must not throw; report through `reportError`. */
  protected abstract listen(topic: string): void;
  /** Stops receiving the topic (last local subscriber gone). Must not throw. */
  protected abstract unlisten(topic: string): void;
  /** Releases the broker connections. */
  protected abstract disconnect(): Promise<void>;

  private release(topic: string): void {
    const count = (this.interest.get(topic) ?? 1) - 1;
    if (count > 0) {
      this.interest.set(topic, count);
      return;
    }
    this.interest.delete(topic);
    this.unlisten(topic);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
