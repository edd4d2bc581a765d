import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../core/errors.js';

/**
 * A conversation's cooldown between one member's messages: one message per `seconds`, counted
 * per (conversation, user). The count is in-process by default; a cluster passes a shared
 * (Redis) limiter so the cooldown spans nodes. The window is each conversation's own
 * (`customDuration`), so one limiter serves every setting.
 */
export class SlowMode {
  private readonly limiter: RateLimiterAbstract;

  constructor(limiter?: RateLimiterAbstract) {
    this.limiter = limiter ?? new RateLimiterMemory({ points: 1, duration: 1, keyPrefix: 'slow' });
  }

  /** Spends the user's message in this conversation, or throws `slow_mode` with `retry_after` in seconds. */
  async consume(conversationId: string, userId: string, seconds: number): Promise<void> {
    if (seconds <= 0) return;
    try {
      await this.limiter.consume(`${conversationId}:${userId}`, 1, { customDuration: seconds });
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const retryAfter = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw new AppError('slow_mode', `Slow mode is on: you can send again in ${retryAfter} s`, { retry_after: retryAfter });
    }
  }
}
