/** Setting a timer longer than this overflows Node's 32-bit timer and fires it at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Items that each expire a fixed time after they were added, on one timer for all of them:
 * with one duration, the order of adding is the order of expiring, so the oldest item is the
 * next due. An item costs a map entry instead of a timer (and its closure) of its own, which
 * matters for thousands of sockets arriving at once.
 */
export class FixedDeadlines<T> {
  /** Insertion order is deadline order. */
  private readonly due = new Map<T, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly delayMs: number,
    private readonly expired: (item: T) => void,
  ) {}

  /** Starts (or restarts) the item's time. */
  add(item: T): void {
    this.due.delete(item);
    this.due.set(item, Date.now() + this.delayMs);
    this.timer ??= this.arm(this.delayMs);
  }

  /** The item no longer expires. */
  delete(item: T): void {
    this.due.delete(item);
  }

  get size(): number {
    return this.due.size;
  }

  /** Stops the timer; items are forgotten. */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.due.clear();
  }

  private arm(ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.run(), Math.max(0, ms));
    timer.unref();
    return timer;
  }

  private run(): void {
    this.timer = undefined;
    const now = Date.now();
    for (const [item, at] of this.due) {
      if (at > now) {
        // (`expired` may have added an item, which armed the timer already.)
        this.timer ??= this.arm(at - now);
        return;
      }
      this.due.delete(item);
      this.expired(item);
    }
  }
}

/**
 * Items that each expire at an instant of their own (epoch ms), grouped by that instant, on one
 * timer armed for the earliest group: connections whose tokens end in the same second share a
 * group, so a storm of reconnects does not add a timer per connection. An item is expired at its
 * instant (or, past the longest timer Node allows, re-armed until then), never early.
 */
export class InstantDeadlines<T> {
  private readonly groups = new Map<number, Set<T>>();
  private timer: NodeJS.Timeout | undefined;
  /** The instant the timer is armed for. */
  private armedFor = Infinity;

  constructor(private readonly expired: (item: T) => void) {}

  add(item: T, atMs: number): void {
    let group = this.groups.get(atMs);
    if (!group) this.groups.set(atMs, (group = new Set()));
    group.add(item);
    if (atMs < this.armedFor) this.arm(atMs);
  }

  /** Pass the instant the item was added with. */
  delete(item: T, atMs: number): void {
    const group = this.groups.get(atMs);
    if (!group?.delete(item)) return;
    // An empty group's timer may still fire: it finds nothing and arms for the next.
    if (group.size === 0) this.groups.delete(atMs);
  }

  /** Items waiting. */
  get size(): number {
    let n = 0;
    for (const group of this.groups.values()) n += group.size;
    return n;
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
    this.groups.clear();
  }

  private arm(atMs: number): void {
    clearTimeout(this.timer);
    this.armedFor = atMs;
    this.timer = setTimeout(() => this.run(), Math.min(Math.max(atMs - Date.now(), 0), MAX_TIMER_MS));
    this.timer.unref();
  }

  private run(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = Date.now();
    let next = Infinity;
    const due: T[] = [];
    for (const [at, group] of this.groups) {
      if (at <= now) {
        this.groups.delete(at);
        for (const item of group) due.push(item);
      } else if (at < next) {
        next = at;
      }
    }
    if (next < Infinity) this.arm(next);
    for (const item of due) this.expired(item);
  }
}
