import { Redis, type RedisOptions } from 'ioredis';

/** How a Redis connection waits between reconnection attempts. */
export interface ReconnectOptions {
  /** Ceiling of the first retry delay, in ms; it doubles with every failed attempt. @default 100 */
  readonly reconnectBaseMs?: number;
  /** Longest wait between two attempts, in ms. @default 5000 */
  readonly reconnectMaxMs?: number;
}

export interface RedisClientOptions extends ReconnectOptions {
  /** Where Redis listens, e.g. `redis://127.0.0.1:6379`. */
  readonly url: string;
  /** Sent as `CLIENT SETNAME`, so operators (and tests) can find the connection in `CLIENT LIST`. */
  readonly connectionName: string;
  /** Told about every connection error; the client itself never lets one escape. */
  readonly onError: (error: Error) => void;
  /**
   * How long a command may wait for its answer, in ms (`commandTimeout`), and how long the
   * connection may stay silent while commands wait (`socketTimeout`): past it the socket is
   * dropped and the client reconnects. A stalled Redis (a partition: the connection stays open,
   * nothing comes back) then fails commands in bounded time instead of never, and the client
   * reads as not ready, so callers fall back at once. @default 1000
   */
  readonly commandTimeoutMs?: number;
  /** ioredis options for this connection's role (offline queue…); they win over the above. @default {} */
  readonly tuning?: Partial<RedisOptions>;
}

/**
 * Full-jitter exponential backoff (a random delay up to `min(max, base·2^attempt)`), so nodes that
 * lost Redis together do not reconnect in lockstep. It never gives up: an outage must end with the
 * node connected again, not with a client that stopped trying.
 */
export function fullJitterBackoff(options: ReconnectOptions = {}): (attempt: number) => number {
  const base = options.reconnectBaseMs ?? 100;
  const max = options.reconnectMaxMs ?? 5000;
  return (attempt) => Math.round(Math.random() * Math.min(max, base * 2 ** Math.min(attempt, 20)));
}

/**
 * Opens an ioredis connection that reconnects by itself and reports its errors instead of
 * throwing them: an `EventEmitter` 'error' without a listener would crash the process.
 * @example const redis = createRedisClient({ url, connectionName: 'sb-limits', onError: (e) => log.warn(e) });
 */
export function createRedisClient(options: RedisClientOptions): Redis {
  const timeoutMs = options.commandTimeoutMs ?? 1000;
  const client = new Redis(options.url, {
    retryStrategy: fullJitterBackoff(options),
    connectionName: options.connectionName,
    commandTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // Reaching Redis at all is bounded too (ioredis waits 10 s by default).
    connectTimeout: Math.max(timeoutMs, 1000),
    ...options.tuning,
  });
  client.on('error', options.onError);
  return client;
}

/**
 * Resolves when Redis answers on this connection now: rejects at once if it is not connected
 * (reconnecting after a stall or an outage), else within its command timeout. For readiness.
 */
export async function pingRedis(client: Redis, role: string): Promise<void> {
  if (client.status !== 'ready') throw new Error(`the Redis ${role} connection is ${client.status}`);
  await client.ping();
}

/** Resolves once the connection is ready for commands; rejects after `timeoutMs` or when it ends. */
export function whenReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  if (client.status === 'end') return Promise.reject(new Error('The Redis connection is closed'));
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => settle();
    const onEnd = () => settle(new Error('The Redis connection was closed before it became ready'));
    const timer = setTimeout(() => settle(new Error(`Redis was not ready within ${timeoutMs} ms`)), timeoutMs);
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
}

/**
 * Closes a connection politely when it can (`QUIT` lets pending replies arrive) and at once when
 * Redis is unreachable or slow, so shutdown never waits on an outage.
 */
export async function closeRedisClient(client: Redis, graceMs = 1000): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
  await Promise.race([client.quit().then(() => undefined, () => undefined), deadline]);
  clearTimeout(timer);
  // QUIT may not have finished within the grace period (the narrowing above is stale by now).
  if ((client.status as string) !== 'end') client.disconnect();
}
