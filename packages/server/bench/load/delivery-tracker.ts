/**
 * Exact loss and duplication accounting for one room. Each sender numbers its messages; each
 * receiver keeps, per sender, the next number it expects plus any that arrived ahead of it, so
 * every delivery is classified as new, duplicate or stale (from an earlier step) whatever the
 * order. Expected deliveries come from what the senders sent minus what the system rejected.
 */
export class DeliveryTracker {
  /** next[receiver * size + sender]: the lowest number not yet received. */
  private readonly next: Float64Array;
  /** Numbers received ahead of `next`, by receiver * size + sender. */
  private readonly ahead = new Map<number, Set<number>>();
  /** First number of the current step, per sender. */
  private readonly base: Float64Array;
  duplicates = 0;
  stale = 0;
  echoes = 0;

  constructor(private readonly size: number) {
    this.next = new Float64Array(size * size);
    this.base = new Float64Array(size);
  }

  /** Starts a step: each sender's numbering continues from `firstN[sender]`. */
  beginStep(firstN: ArrayLike<number>): void {
    for (let s = 0; s < this.size; s++) this.base[s] = firstN[s] ?? 0;
    for (let r = 0; r < this.size; r++) for (let s = 0; s < this.size; s++) this.next[r * this.size + s] = this.base[s]!;
    this.ahead.clear();
    this.duplicates = 0;
    this.stale = 0;
    this.echoes = 0;
  }

  /** Classifies one delivery; true when it is new. */
  record(receiver: number, sender: number, n: number): boolean {
    if (receiver === sender) {
      this.echoes++;
      return false;
    }
    if (sender < 0 || sender >= this.size) {
      this.stale++;
      return false;
    }
    if (n < this.base[sender]!) {
      this.stale++;
      return false;
    }
    const key = receiver * this.size + sender;
    const expected = this.next[key]!;
    if (n < expected) {
      this.duplicates++;
      return false;
    }
    let set = this.ahead.get(key);
    if (n === expected) {
      let next = expected + 1;
      while (set?.delete(next)) next++;
      this.next[key] = next;
      return true;
    }
    if (!set) this.ahead.set(key, (set = new Set()));
    if (set.has(n)) {
      this.duplicates++;
      return false;
    }
    set.add(n);
    return true;
  }

  /** Distinct messages of this step numbered up to `upTo` that `receiver` got from `sender`. */
  uniqueFrom(receiver: number, sender: number, upTo = Number.POSITIVE_INFINITY): number {
    const key = receiver * this.size + sender;
    let count = Math.max(0, Math.min(this.next[key]!, upTo + 1) - this.base[sender]!);
    for (const n of this.ahead.get(key) ?? []) if (n <= upTo) count++;
    return count;
  }
}
