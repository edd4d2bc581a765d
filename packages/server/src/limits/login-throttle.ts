import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../core/config.js';
import { AppError } from '../core/errors.js';

export interface LoginThrottleOptions {
  /** Wrong passwords in a row for one account from one address before that pair is blocked. @default 10 */
  readonly maxConsecutiveFailures: number;
  /** How long a blocked account-and-address pair waits, in seconds. @default 900 */
  readonly blockSeconds: number;
  /** Failed logins one address may make per window, over all accounts. @default 100 */
  readonly maxFailuresPerAddress: number;
  /** The address window (and how long a run of failures is remembered), in seconds. @default 86400 */
  readonly windowSeconds: number;
}

/** The two counters, each keyed by the throttle: in memory for one node, in Redis for a cluster. */
export interface LoginLimiters {
  /** Consecutive failures per account and address (`points` = maxConsecutiveFailures). */
  readonly pair: RateLimiterAbstract;
  /** Failures per address (`points` = maxFailuresPerAddress). */
  readonly address: RateLimiterAbstract;
}

/** Who is trying to sign in, and from where. */
export interface LoginAttempt {
  /** The account as typed (an email); compared trimmed and case-insensitively. */
  readonly account: string;
  /** The client's address as the server sees it. */
  readonly address: string;
}

/** The throttle's settings from the configuration. */
export function loginThrottleOptions(config: Pick<Config, 'loginMaxConsecutiveFailures' | 'loginBlockSeconds' | 'loginMaxFailuresPerAddress' | 'loginWindowSeconds'>): LoginThrottleOptions {
  return {
    maxConsecutiveFailures: config.loginMaxConsecutiveFailures,
    blockSeconds: config.loginBlockSeconds,
    maxFailuresPerAddress: config.loginMaxFailuresPerAddress,
    windowSeconds: config.loginWindowSeconds,
  };
}

/** Both counters in this process's memory. */
export function memoryLoginLimiters(options: LoginThrottleOptions): LoginLimiters {
  return {
    pair: new RateLimiterMemory({ points: options.maxConsecutiveFailures, duration: options.windowSeconds, keyPrefix: 'login-pair' }),
    address: new RateLimiterMemory({ points: options.maxFailuresPerAddress, duration: options.windowSeconds, keyPrefix: 'login-address' }),
  };
}

/**
 * Password guessing, throttled the standard way (OWASP; rate-limiter-flexible's "login endpoint
 * protection"): consecutive failures per account *and* address, reset by a success, block that
 * pair for `blockSeconds`; a slower cap per address blocks it for the rest of the window.
 *
 * There is no block per account alone: anyone could then lock a victim out by failing on
 * purpose from anywhere. Someone hammering an account from one address blocks only that
 * address; its owner signs in from theirs. A blocked attempt is refused before its password is
 * checked, so a block costs no hashing.
 * @example await throttle.check(attempt); ok ? await throttle.succeeded(attempt) : await throttle.failed(attempt);
 */
export class LoginThrottle {
  private readonly limiters: LoginLimiters;

  constructor(
    private readonly options: LoginThrottleOptions,
    limiters?: LoginLimiters,
  ) {
    this.limiters = limiters ?? memoryLoginLimiters(options);
  }

  /** Throws `rate_limited` (with `retry_after`) while the pair or the address is blocked. */
  async check(attempt: LoginAttempt): Promise<void> {
    const [pair, address] = await Promise.all([this.limiters.pair.get(pairKey(attempt)), this.limiters.address.get(attempt.address)]);
    const blocks = [pair !== null && pair.consumedPoints >= this.options.maxConsecutiveFailures ? pair : undefined, address !== null && address.consumedPoints >= this.options.maxFailuresPerAddress ? address : undefined];
    const waits = blocks.filter((b): b is RateLimiterRes => b !== undefined).map((b) => b.msBeforeNext);
    if (waits.length > 0) throw rateLimited(Math.max(...waits));
  }

  /** Counts a failure; the one that reaches the limit blocks the pair for `blockSeconds`. */
  async failed(attempt: LoginAttempt): Promise<void> {
    const key = pairKey(attempt);
    const [pair] = await Promise.all([spend(this.limiters.pair, key), spend(this.limiters.address, attempt.address)]);
    if (pair.consumedPoints >= this.options.maxConsecutiveFailures) await this.limiters.pair.block(key, this.options.blockSeconds);
  }

  /** A success ends the pair's run of failures (not the address's count: one good account must not reset it). */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await this.limiters.pair.delete(pairKey(attempt));
  }
}

/** The account is hashed, so the limiter's store (Redis) holds no email addresses. */
function pairKey({ account, address }: LoginAttempt): string {
  const hashed = createHash('sha256').update(account.trim().toLowerCase()).digest('hex').slice(0, 32);
  return `${hashed}:${address}`;
}

/** Consumes a point; past the limit the limiter rejects with its state, which is as good an answer. */
async function spend(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes> {
  try {
    return await limiter.consume(key);
  } catch (error) {
    if (error instanceof RateLimiterRes) return error;
    throw error;
  }
}

function rateLimited(msBeforeNext: number): AppError {
  const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new AppError('rate_limited', `Too many failed logins: try again in ${retryAfter} s`, { retry_after: retryAfter });
}
