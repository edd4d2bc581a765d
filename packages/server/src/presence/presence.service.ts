import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.js';
import { topics } from '../bus/domain-event.js';
import type { PresenceState, PresenceTracker } from '../realtime/presence.js';
import type { Store } from '../storage/store.js';

/** Online/offline announcements, to the people who share a conversation with the user. */
export class PresenceService {
  private onlineListeners: ((userId: string) => Promise<void>)[] = [];

  constructor(
    private readonly tracker: PresenceTracker,
    private readonly bus: Bus,
    private readonly store: Store,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  async connected(userId: string, connectionId: string): Promise<void> {
    if (!(await this.tracker.connect(userId, connectionId))) return;
    await this.announce(userId, 'online');
    // A listener's failure (say, assigning waiting cases) must not fail the connection.
    for (const listener of this.onlineListeners) await listener(userId).catch((err: unknown) => this.logger.warn({ err, userId }, 'presence: an online listener failed'));
  }

  /** Runs when a user comes online (an agent who can now take cases). */
  onOnline(listener: (userId: string) => Promise<void>): void {
    this.onlineListeners.push(listener);
  }

  async disconnected(userId: string, connectionId: string): Promise<void> {
    if (await this.tracker.disconnect(userId, connectionId)) await this.announce(userId, 'offline');
  }

  /**
   * Sweeps a shared tracker for users of crashed nodes every `intervalMs` and announces them
   * offline; returns a function that stops it.
   */
  startSweeping(intervalMs: number): () => void {
    const sweep = this.tracker.sweepExpired?.bind(this.tracker);
    if (!sweep) return () => {};
    const timer = setInterval(() => {
      void sweep()
        .then((gone) => Promise.all(gone.map((userId) => this.announce(userId, 'offline'))))
        .catch((err: unknown) => this.logger.warn({ err }, 'presence: sweeping expired users failed; the next sweep retries'));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Announces what a shared tracker found when it wrote this node's connections again. */
  async resynced(change: { readonly online: readonly string[]; readonly offline: readonly string[] }): Promise<void> {
    await Promise.all([...change.online.map((u) => this.announce(u, 'online')), ...change.offline.map((u) => this.announce(u, 'offline'))]);
  }

  get(userIds: readonly string[]): Promise<PresenceState[]> {
    return this.tracker.get(userIds);
  }

  connectionCount(userId: string): Promise<number> {
    return this.tracker.connectionCount(userId);
  }

  /** Users who share at least one current conversation with this one. */
  contactsOf(userId: string): Promise<string[]> {
    return this.store.conversations.contactsOf(userId);
  }

  private announce(userId: string, status: 'online' | 'offline'): Promise<void> {
    return this.bus.publish(topics.presence(userId), { type: 'presence', userId, status, lastSeenAt: new Date().toISOString() });
  }
}
