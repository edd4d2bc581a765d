/** The retry schedule of a failed job. */
export interface RetryBackoff {
  /** Ceiling of the first retry's delay, in ms; it doubles with each attempt. @default 1000 */
  readonly baseMs: number;
  /** Largest ceiling, in ms. @default 300000 (5 min) */
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: RetryBackoff = { baseMs: 1000, capMs: 300_000 };

/**
 * How long to wait before running a job again after its `attempt`-th run failed: exponential
 * backoff with full jitter, uniform in [0, min(cap, base · 2^(attempt − 1))). The jitter spreads
 * the retries of jobs that failed together (a dependency down) instead of bringing them back
 * in one wave.
 * @example retryDelayMs(3, () => 0.5) // 2000: half of the third ceiling, 4 s
 */
export function retryDelayMs(attempt: number, random: () => number = Math.random, backoff: RetryBackoff = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
