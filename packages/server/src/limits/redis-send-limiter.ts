import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { SendRateLimitOptions } from './send-rate-limit.js';

export interface RedisSendLimiterOptions extends SendRateLimitOptions {
  /** Namespace in front of the limiter's keys (`<keyPrefix>send:<userId>`). @default "switchboard:" */
  readonly keyPrefix?: string;
}

/**
 * The send limiter of a cluster, for `SendRateLimit`'s second argument: the count of one user's
 * sends lives in Redis, so the limit spans every node. The caller owns `redis` (and closes it).
 *
 * ioredis needs no `useRedisPackage` (that flag is for node-redis): rate-limiter-flexible detects
 * ioredis and registers its Lua script through `defineCommand`. While Redis is not ready the
 * limiter does not wait (`rejectIfRedisNotReady`) but counts in this node's memory instead
 * (`insuranceLimiter`), so an outage loosens the limit to per node rather than failing sends.
 * @example new SendRateLimit(options, createRedisSendLimiter(redis, options))
 */
export function createRedisSendLimiter(redis: Redis, options: RedisSendLimiterOptions): RateLimiterRedis {
  const keyPrefix = `${options.keyPrefix ?? 'switchboard:'}send`;
  const window = { points: options.points, duration: options.windowSeconds, keyPrefix };
  return new RateLimiterRedis({
    ...window,
    storeClient: redis,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory(window),
  });
}
