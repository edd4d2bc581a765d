import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../core/errors.js';

export interface SendRateLimitOptions {
  /** Messages allowed per window. @default 30 */
  readonly points: number;
  /** Window length in seconds. @default 10 */
  readonly windowSeconds: number;
}

/**
 * How many messages one user may send per window, on every transport alike. The limiter is
 * in-process by default; a cluster passes a shared (Redis) one so the count spans nodes.
 */
export class SendRateLimit {
  private readonly limiter: RateLimiterAbstract;

  constructor(options: SendRateLimitOptions, limiter?: RateLimiterAbstract) {
    this.limiter = limiter ?? new RateLimiterMemory({ points: options.points, duration: options.windowSeconds, keyPrefix: 'send' });
  }

  /** Spends one send for the user, or throws `rate_limited` with `retry_after` in seconds. */
  async consume(userId: string): Promise<void> {
    try {
      await this.limiter.consume(userId);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const retryAfter = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw new AppError('rate_limited', `Rate limit exceeded: try again in ${retryAfter} s`, { retry_after: retryAfter });
    }
  }
}
