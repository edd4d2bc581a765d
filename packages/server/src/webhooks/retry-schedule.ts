/** The Standard Webhooks schedule: the delay before each retry after a failed attempt. */
export const DEFAULT_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Reads a schedule such as `5s,5m,30m,2h` (units ms, s, m, h, d) into delays in ms; throws with
 * the offending entry when one does not parse.
 * @example parseRetrySchedule('5s,5m') // [5000, 300000]
 */
export function parseRetrySchedule(text: string): number[] {
  return text.split(',').map((entry) => {
    const match = /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/.exec(entry);
    if (!match) throw new Error(`"${entry.trim()}" is not a duration like 5s, 5m or 2h`);
    return Number(match[1]) * UNIT_MS[match[2]!]!;
  });
}

/** Share of each delay drawn at random either way, so receivers that failed together are retried apart. */
const JITTER = 0.2;

/**
 * The delay before the retry that follows failed attempt number `attempt` (1-based), or
 * `undefined` when the schedule is spent. Each delay is spread ±20 % at random.
 * @example retryDelay([5000, 300000], 1, () => 0.5) // 5000
 */
export function retryDelay(schedule: readonly number[], attempt: number, random: () => number = Math.random): number | undefined {
  const base = schedule[attempt - 1];
  if (base === undefined) return undefined;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

/** Longest `Retry-After` honoured: past it the schedule's own delay applies. */
const MAX_RETRY_AFTER_MS = 86_400_000;

/** A `Retry-After` header (seconds, or an HTTP date) in ms from `now`; `undefined` when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const seconds = /^\s*\d+\s*$/.test(header) ? Number(header) * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.min(seconds, MAX_RETRY_AFTER_MS);
}
