import type { Redis } from 'ioredis';

/** Runs a registered Lua script atomically in Redis with these keys and arguments. */
export type RedisScript = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

type ScriptCommand = (this: Redis, keyCount: number, ...keysAndArgs: (string | number)[]) => Promise<unknown>;

/**
 * Registers a Lua script on a connection through ioredis's `defineCommand`, which sends it in full
 * once per socket and by digest afterwards. Unlike a hand-rolled EVALSHA-then-EVAL fallback, a
 * script never overtakes commands issued after it (the fallback would resend it later, out of
 * order), and a Redis restart (empty script cache, new socket) needs nothing special.
 * @example const hlen = defineScript(redis, 'sbHashLength', "return redis.call('HLEN', KEYS[1])"); await hlen(['h'], []);
 */
export function defineScript(redis: Redis, name: string, lua: string): RedisScript {
  redis.defineCommand(name, { lua });
  const command = Reflect.get(redis, name) as ScriptCommand;
  return (keys, args) => command.call(redis, keys.length, ...keys, ...args);
}
