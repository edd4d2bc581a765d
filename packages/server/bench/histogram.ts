/**
 * A mergeable latency histogram in microseconds with log-linear buckets (relative error under
 * 1.6 %), small enough to send between processes. Exact count, sum and max are kept too.
 */
const SUB = 64;
const LINEAR = 2 * SUB;
const MAX_VALUE = 2 ** 31 - 1;
const BUCKETS = LINEAR + (31 - 7) * SUB;

export interface HistogramSnapshot {
  /** Sparse `[bucket, count]` pairs. */
  readonly buckets: ReadonlyArray<readonly [number, number]>;
  readonly count: number;
  readonly sumUs: number;
  readonly maxUs: number;
}

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

function bucketOf(us: number): number {
  const v = Math.min(MAX_VALUE, Math.max(0, Math.round(us)));
  if (v < LINEAR) return v;
  const bits = 31 - Math.clz32(v);
  const shift = bits - 6;
  return LINEAR + (bits - 7) * SUB + ((v >> shift) - SUB);
}

function valueOf(bucket: number): number {
  if (bucket < LINEAR) return bucket;
  const offset = bucket - LINEAR;
  const bits = 7 + Math.floor(offset / SUB);
  const shift = bits - 6;
  const mantissa = SUB + (offset % SUB);
  return mantissa * 2 ** shift + 2 ** shift / 2;
}

export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sumUs = 0;
  maxUs = 0;

  /** Records a latency in milliseconds. */
  recordMs(ms: number): void {
    this.recordUs(ms * 1000);
  }

  recordUs(us: number): void {
    const value = us < 0 ? 0 : us;
    this.counts[bucketOf(value)]! += 1;
    this.count++;
    this.sumUs += value;
    if (value > this.maxUs) this.maxUs = value;
  }

  merge(snapshot: HistogramSnapshot): void {
    for (const [bucket, n] of snapshot.buckets) this.counts[bucket]! += n;
    this.count += snapshot.count;
    this.sumUs += snapshot.sumUs;
    if (snapshot.maxUs > this.maxUs) this.maxUs = snapshot.maxUs;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sumUs = 0;
    this.maxUs = 0;
  }

  snapshot(): HistogramSnapshot {
    const buckets: Array<[number, number]> = [];
    for (let i = 0; i < BUCKETS; i++) {
      const n = this.counts[i]!;
      if (n > 0) buckets.push([i, n]);
    }
    return { buckets, count: this.count, sumUs: this.sumUs, maxUs: this.maxUs };
  }

  /** The value (µs) at quantile q in [0, 1]. */
  quantileUs(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(valueOf(i), this.maxUs);
    }
    return this.maxUs;
  }

  /** Percentiles in milliseconds. */
  percentilesMs(): Percentiles {
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      count: this.count,
      p50: ms(this.quantileUs(0.5)),
      p95: ms(this.quantileUs(0.95)),
      p99: ms(this.quantileUs(0.99)),
      max: ms(this.maxUs),
      mean: this.count === 0 ? 0 : ms(this.sumUs / this.count),
    };
  }

  static from(snapshots: Iterable<HistogramSnapshot>): Histogram {
    const h = new Histogram();
    for (const s of snapshots) h.merge(s);
    return h;
  }
}
