import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { LoginLimiters, LoginThrottleOptions } from './login-throttle.js';

/**
 * The login counters of a cluster, for `LoginThrottle`'s second argument: kept in Redis
 * (`<keyPrefix>login-pair:…`, `<keyPrefix>login-address:…`), so a guesser spreading attempts over
 * nodes meets one limit. As with the send limiter, while Redis is not ready each node counts in
 * its own memory instead (`insuranceLimiter`) rather than letting every login through or none.
 * The caller owns `redis`.
 * @example new LoginThrottle(options, createRedisLoginLimiters(redis, { ...options, keyPrefix }))
 */
export function createRedisLoginLimiters(redis: Redis, options: LoginThrottleOptions & { readonly keyPrefix?: string }): LoginLimiters {
  const prefix = options.keyPrefix ?? 'switchboard:';
  const limiter = (name: string, points: number) => {
    const window = { points, duration: options.windowSeconds, keyPrefix: `${prefix}${name}` };
    return new RateLimiterRedis({ ...window, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(window) });
  };
  return { pair: limiter('login-pair', options.maxConsecutiveFailures), address: limiter('login-address', options.maxFailuresPerAddress) };
}
