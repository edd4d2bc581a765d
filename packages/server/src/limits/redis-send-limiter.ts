import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RLWrapperTimeouts, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { SendRateLimitOptions } from './send-rate-limit.js';

export interface RedisSendLimiterOptions extends SendRateLimitOptions {
  /** Namespace in front of the limiter's keys (`<keyPrefix>send:<userId>`). @default "switchboard:" */
  readonly keyPrefix?: string;
  /** How long a send may wait for Redis's count before this node counts it itself, in ms. @default 1000 */
  readonly timeoutMs?: number;
  /** What is counted, after the prefix in the keys (`send`, `slow`). @default "send" */
  readonly name?: string;
}

/**
 * The send limiter of a cluster, for `SendRateLimit`'s second argument: the count of one user's
 * sends lives in Redis, so the limit spans every node. The caller owns `redis` (and closes it).
 *
 * Redis never decides whether a send goes through, only how it is counted: the count falls back
 * to this node's memory (`insuranceLimiter`), which loosens the limit to per node rather than
 * failing or holding sends, whenever
 * - the connection is not ready (down, reconnecting): at once (`rejectIfRedisNotReady`);
 * - Redis fails the command, or does not answer it within `timeoutMs` (a stalled Redis keeps the
 *   connection open and answers nothing): `RLWrapperTimeouts`, on top of the client's own
 *   command timeout.
 *
 * ioredis needs no `useRedisPackage` (that flag is for node-redis): rate-limiter-flexible detects
 * ioredis and registers its Lua script through `defineCommand`.
 * @example new SendRateLimit(options, createRedisSendLimiter(redis, options))
 */
export function createRedisSendLimiter(redis: Redis, options: RedisSendLimiterOptions): RateLimiterAbstract {
  const keyPrefix = `${options.keyPrefix ?? 'switchboard:'}${options.name ?? 'send'}`;
  const window = { points: options.points, duration: options.windowSeconds, keyPrefix };
  // The fallback belongs to the wrapper alone: were the Redis limiter to have it too, a send
  // whose command timed out would be counted twice (once per layer giving up).
  const shared = new RateLimiterRedis({ ...window, storeClient: redis, rejectIfRedisNotReady: true });
  return new RLWrapperTimeouts({ limiter: shared, timeoutMs: options.timeoutMs ?? 1000, insuranceLimiter: new RateLimiterMemory(window) });
}
