/** Reconnect delays: full jitter between 0 and an exponentially growing cap. */
export interface BackoffOptions {
  /** The cap of the first retry, in ms (default 500). */
  readonly minMs?: number;
  /** The largest cap, in ms (default 20,000). */
  readonly maxMs?: number;
}

export const DEFAULT_BACKOFF = { minMs: 500, maxMs: 20_000 } as const;

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry): a uniformly random
 * value in [0, min(max, min·2^attempt)]. Full jitter spreads a crowd of clients that lost the
 * same server, so they do not all come back in the same instant.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const min = options.minMs ?? DEFAULT_BACKOFF.minMs;
  const max = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
  const cap = Math.min(max, min * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * cap);
}
