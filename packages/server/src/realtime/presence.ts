/** A user's presence as others see it. */
export interface PresenceState {
  readonly userId: string;
  readonly status: 'online' | 'offline';
  /** When the user last connected or disconnected; null if never seen. */
  readonly lastSeenAt: string | null;
}

/**
 * Who is online. A user is online while they hold at least one connection anywhere; the
 * transition online→offline and back is what gets announced.
 */
export interface PresenceTracker {
  /** Records a new connection; resolves true when the user just came online. */
  connect(userId: string, connectionId: string): Promise<boolean>;
  /** Records a closed connection; resolves true when the user just went offline. */
  disconnect(userId: string, connectionId: string): Promise<boolean>;
  /** Presence of each user asked about (offline with a last-seen time, or never seen). */
  get(userIds: readonly string[]): Promise<PresenceState[]>;
  /** Number of connections the user holds now, across the cluster for a shared tracker. */
  connectionCount(userId: string): Promise<number>;
  /**
   * For shared trackers: users whose last connection lived on a node that stopped heartbeating,
   * each reported once across the cluster, to be announced offline. Call it periodically.
   */
  sweepExpired?(): Promise<string[]>;
  close(): Promise<void>;
}

/** Presence for a single node. */
export class MemoryPresence implements PresenceTracker {
  private readonly connections = new Map<string, Set<string>>();
  /** Epoch ms; formatted only when asked for (every connect and disconnect sets it). */
  private readonly lastSeen = new Map<string, number>();

  async connect(userId: string, connectionId: string): Promise<boolean> {
    let set = this.connections.get(userId);
    const cameOnline = !set || set.size === 0;
    if (!set) this.connections.set(userId, (set = new Set()));
    set.add(connectionId);
    this.lastSeen.set(userId, Date.now());
    return cameOnline;
  }

  async disconnect(userId: string, connectionId: string): Promise<boolean> {
    const set = this.connections.get(userId);
    if (!set?.delete(connectionId)) return false;
    this.lastSeen.set(userId, Date.now());
    if (set.size > 0) return false;
    this.connections.delete(userId);
    return true;
  }

  async get(userIds: readonly string[]): Promise<PresenceState[]> {
    return userIds.map((userId) => ({
      userId,
      status: (this.connections.get(userId)?.size ?? 0) > 0 ? 'online' : 'offline',
      lastSeenAt: isoOrNull(this.lastSeen.get(userId)),
    }));
  }

  async connectionCount(userId: string): Promise<number> {
    return this.connections.get(userId)?.size ?? 0;
  }

  async close(): Promise<void> {
    this.connections.clear();
  }
}

function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
