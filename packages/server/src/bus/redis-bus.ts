import type { Redis } from 'ioredis';
import { ClusterBus, type ClusterBusOptions } from './cluster-bus.js';
import { closeRedisClient, createRedisClient, pingRedis, whenReady, type ReconnectOptions } from './redis-client.js';

export interface RedisBusOptions extends ClusterBusOptions, ReconnectOptions {
  /** Where Redis listens, e.g. `redis://127.0.0.1:6379`. */
  readonly url: string;
  /**
   * Namespace in front of every channel (`<keyPrefix>bus:<topic>`), so several deployments or
   * test runs can share one Redis without hearing each other. @default "switchboard:"
   */
  readonly keyPrefix?: string;
  /**
   * How long a command (a publish, a subscribe) may wait for Redis, in ms; a connection silent
   * that long is dropped and reconnected (see `createRedisClient`). @default 1000
   */
  readonly commandTimeoutMs?: number;
  /** How long a publish may wait for Redis before its event is dropped, in ms. @default commandTimeoutMs */
  readonly publishTimeoutMs?: number;
}

/**
 * How often the subscriber is pinged: it only receives, so without a command of its own waiting
 * a stalled connection would look healthy forever and its topics would go silent unnoticed.
 */
const SUBSCRIBER_PING_MS = 5000;

/**
 * The bus of a cluster: Redis pub/sub between nodes, one channel per topic, subscribed only while
 * a local handler wants the topic. Exactly-once delivery, envelopes and fan-out are
 * `ClusterBus`'s; this class only moves bytes.
 *
 * Two connections, because a subscribed connection is dedicated to receiving:
 * - the publisher fails fast once Redis goes away (a publish while disconnected is refused at
 *   once instead of queueing a stale event; a command timeout; no resending after a reconnect,
 *   which could deliver an event twice): the event is dropped and reported, and clients heal by
 *   syncing. Only before the very first connection (boot) do publishes wait for it, up to the
 *   timeout;
 * - the subscriber queues its SUBSCRIBE/UNSUBSCRIBE commands while disconnected and, on every
 *   `ready`, subscribes again to every topic that still has local handlers. ioredis's own
 *   `autoResubscribe` is off: it restores only subscriptions Redis had confirmed, so a SUBSCRIBE
 *   flushed from the offline queue during a long outage (`maxRetriesPerRequest`) would be lost
 *   for good. The interest table here is the source of truth; SUBSCRIBE is idempotent.
 *
 * @example
 * const bus = new RedisBus({ url: config.redisUrl, onError: (e) => logger.warn({ err: e }, 'bus') });
 * await bus.ready(); // optional: fail the boot early when Redis is unreachable
 */
export class RedisBus extends ClusterBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channelPrefix: string;
  private connectedOnce = false;
  private readonly pinging: NodeJS.Timeout;

  constructor(options: RedisBusOptions) {
    super(options);
    this.channelPrefix = `${options.keyPrefix ?? 'switchboard:'}bus:`;
    const report = (role: string) => (error: Error) => this.reportError(new Error(`Redis bus ${role} connection: ${error.message}`, { cause: error }));
    this.publisher = createRedisClient({
      ...options,
      connectionName: `sb-bus-pub-${this.nodeId}`,
      onError: report('publisher'),
      commandTimeoutMs: options.publishTimeoutMs ?? options.commandTimeoutMs,
      tuning: { maxRetriesPerRequest: 1, autoResendUnfulfilledCommands: false },
    });
    this.subscriber = createRedisClient({
      ...options,
      connectionName: `sb-bus-sub-${this.nodeId}`,
      onError: report('subscriber'),
      tuning: { autoResubscribe: false },
    });
    this.publisher.once('ready', () => (this.connectedOnce = true));
    this.subscriber.on('message', (channel: string, payload: string) => this.onMessage(channel, payload));
    this.subscriber.on('ready', () => this.resubscribe());
    // A ping that times out drops the silent socket; the reconnection resubscribes.
    this.pinging = setInterval(() => {
      if (this.subscriber.status === 'ready') this.subscriber.ping().catch(() => {});
    }, SUBSCRIBER_PING_MS);
    this.pinging.unref();
  }

  /** Resolves when both connections answer now; rejects at once when one is not connected. For readiness. */
  async ping(): Promise<void> {
    await Promise.all([pingRedis(this.publisher, 'bus publisher'), pingRedis(this.subscriber, 'bus subscriber')]);
  }

  /** The Redis channel a topic travels on (for operators and tests). */
  channelFor(topic: string): string {
    return this.channelPrefix + topic;
  }

  /** Resolves once both connections are up. @default timeout 10 s */
  async ready(timeoutMs = 10_000): Promise<void> {
    await Promise.all([whenReady(this.publisher, timeoutMs), whenReady(this.subscriber, timeoutMs)]);
  }

  /**
   * Resolves once Redis has applied every subscribe and unsubscribe issued so far: a PING queued
   * behind them on the subscriber connection answers only after they did. Until then, events
   * other nodes publish on a just-subscribed topic may be missed.
   */
  async settled(): Promise<void> {
    await this.subscriber.ping();
  }

  protected async send(topic: string, payload: string): Promise<void> {
    const status = this.publisher.status;
    if (this.connectedOnce && status !== 'ready') throw new Error(`Redis is unreachable (connection ${status})`);
    await this.publisher.publish(this.channelFor(topic), payload);
  }

  protected listen(topic: string): void {
    this.subscriber.subscribe(this.channelFor(topic)).catch((error: Error) => this.reportSubscription('subscribe to', topic, error));
  }

  protected unlisten(topic: string): void {
    this.subscriber.unsubscribe(this.channelFor(topic)).catch((error: Error) => this.reportSubscription('unsubscribe from', topic, error));
  }

  protected async disconnect(): Promise<void> {
    clearInterval(this.pinging);
    await Promise.all([closeRedisClient(this.publisher), closeRedisClient(this.subscriber)]);
  }

  private onMessage(channel: string, payload: string): void {
    if (channel.startsWith(this.channelPrefix)) this.receive(channel.slice(this.channelPrefix.length), payload);
  }

  private resubscribe(): void {
    const channels = this.listenedTopics().map((topic) => this.channelFor(topic));
    if (channels.length === 0) return;
    this.subscriber.subscribe(...channels).catch((error: Error) => this.reportError(new Error(`Redis bus could not resubscribe ${channels.length} channels: ${error.message}`, { cause: error })));
  }

  /** A lost (un)subscribe heals itself: the next `ready` subscribes to exactly the wanted topics. */
  private reportSubscription(action: string, topic: string, error: Error): void {
    this.reportError(new Error(`Redis bus could not ${action} "${topic}": ${error.message}`, { cause: error }));
  }
}
