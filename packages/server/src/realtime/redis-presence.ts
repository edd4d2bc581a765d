import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { closeRedisClient, createRedisClient, whenReady, type ReconnectOptions } from '../bus/redis-client.js';
import { defineScript, type RedisScript } from '../bus/redis-script.js';
import { AppError } from '../core/errors.js';
import type { PresenceState, PresenceTracker } from './presence.js';

export interface RedisPresenceOptions extends ReconnectOptions {
  /** Where Redis listens, e.g. `redis://127.0.0.1:6379`. */
  readonly url: string;
  /** Namespace in front of every key (`<keyPrefix>presence:…`). @default "switchboard:" */
  readonly keyPrefix?: string;
  /** This node's id; unique among the nodes sharing Redis, without `|`. @default a random UUID */
  readonly nodeId?: string;
  /**
   * How long this node's connections keep counting after its last heartbeat, in ms: a node that
   * crashes has its users go offline this long afterwards. @default 30000
   */
  readonly ttlMs?: number;
  /** How often this node proves it is alive, in ms; keep it at most a third of `ttlMs`. @default 10000 */
  readonly heartbeatMs?: number;
  /** How long a presence command may wait for Redis, in ms. @default 2000 */
  readonly commandTimeoutMs?: number;
  /**
   * Told when a heartbeat had to write this node's connections into Redis again (Redis restarted
   * or was unreachable, or the node stalled past `ttlMs` and was swept): the users who came back
   * online, and those whose last connection closed meanwhile. Announce them as connect/disconnect
   * would have. @default ignores them
   */
  readonly onResync?: (change: PresenceResync) => void;
  /** Told about every Redis failure; presence never throws them into the event loop. @default ignores them */
  readonly onError?: (error: Error) => void;
}

/** Presence transitions a resync discovered, to be announced. */
export interface PresenceResync {
  readonly online: readonly string[];
  readonly offline: readonly string[];
}

/**
 * Cluster-wide presence in Redis. Each user has a hash of connections (`<node>|<connection>`);
 * each node has a heartbeat score (expiry time, by Redis's clock) in one sorted set and the set
 * of its users. A connection counts while its node's score lies in the future, so one write per
 * heartbeat keeps all of a node's connections alive, and a crashed node's users go offline
 * `ttlMs` after its last heartbeat. Every read-modify-write is one Lua script, hence atomic
 * across nodes: of two nodes connecting the same user at once, exactly one sees "came online".
 *
 * The node keeps its own connections in memory too, which makes it self-healing: when Redis lost
 * them or a write failed, the next heartbeat writes them again (`onResync` reports the effect).
 * While Redis is unreachable, `connect`/`disconnect` resolve false (the announcement waits for
 * the resync), `connectionCount` answers from this node alone, and `get` rejects.
 *
 * Users of a node that died are seen offline at once after the TTL, but announced only when
 * some node calls `sweepExpired()` — call it periodically (every `heartbeatMs`, say).
 * `close()` leaves this node's connections in Redis to expire, so that surviving nodes announce
 * them; it is also how a crash looks to the others.
 */
export class RedisPresence implements PresenceTracker {
  readonly nodeId: string;
  private readonly redis: Redis;
  private readonly scripts: PresenceScripts;
  private readonly keys: PresenceKeys;
  private readonly ttlMs: number;
  private readonly held = new Map<string, Set<string>>();
  private readonly timer: NodeJS.Timeout;
  private readonly onResync: (change: PresenceResync) => void;
  private readonly reportError: (error: Error) => void;
  private beating: Promise<void> | undefined;
  /** Set when Redis may disagree with `held`, so the next heartbeat rewrites this node's share. */
  private dirty = false;
  private closed = false;

  constructor(options: RedisPresenceOptions) {
    this.nodeId = options.nodeId ?? randomUUID();
    this.ttlMs = options.ttlMs ?? 30_000;
    const heartbeatMs = options.heartbeatMs ?? 10_000;
    if (this.nodeId.includes('|')) throw new Error('RedisPresence: nodeId must not contain "|"');
    if (!(heartbeatMs > 0 && heartbeatMs < this.ttlMs)) throw new Error('RedisPresence: heartbeatMs must be positive and below ttlMs');
    this.keys = presenceKeys(options.keyPrefix ?? 'switchboard:');
    this.onResync = options.onResync ?? (() => {});
    this.reportError = options.onError ?? (() => {});
    this.redis = createRedisClient({
      ...options,
      connectionName: `sb-presence-${this.nodeId}`,
      onError: (error) => this.reportError(new Error(`Redis presence connection: ${error.message}`, { cause: error })),
      tuning: { maxRetriesPerRequest: 1, commandTimeout: options.commandTimeoutMs ?? 2000 },
    });
    this.scripts = definePresenceScripts(this.redis);
    // Every (re)connection beats at once: after a Redis restart this node's users are back online
    // within moments, not at the next heartbeat (until then they look offline to every node).
    this.redis.on('ready', () => void this.heartbeat());
    this.timer = setInterval(() => void this.heartbeat(), heartbeatMs);
    this.timer.unref();
    void this.heartbeat();
  }

  /** Resolves once Redis is reachable and this node is registered. @default timeout 10 s */
  async ready(timeoutMs = 10_000): Promise<void> {
    await whenReady(this.redis, timeoutMs);
    await this.heartbeat();
  }

  async connect(userId: string, connectionId: string): Promise<boolean> {
    let set = this.held.get(userId);
    if (!set) this.held.set(userId, (set = new Set()));
    set.add(connectionId);
    return this.transition('connect', this.scripts.connect, userId, connectionId);
  }

  async disconnect(userId: string, connectionId: string): Promise<boolean> {
    const set = this.held.get(userId);
    if (!set?.delete(connectionId)) return false;
    if (set.size === 0) this.held.delete(userId);
    return this.transition('disconnect', this.scripts.disconnect, userId, connectionId);
  }

  async get(userIds: readonly string[]): Promise<PresenceState[]> {
    if (userIds.length === 0) return [];
    const reply = await this.command('read presence', () =>
      this.scripts.presence([this.keys.nodes, this.keys.seen, ...userIds.map(this.keys.user)], [this.nodeId, ...userIds]),
    );
    const flat = asList(reply);
    return userIds.map((userId, i) => ({
      userId,
      status: Number(flat[2 * i]) > 0 ? 'online' : 'offline',
      lastSeenAt: String(flat[2 * i + 1] ?? '') || null,
    }));
  }

  /** Connections the user holds on every live node; this node's alone while Redis is unreachable. */
  async connectionCount(userId: string): Promise<number> {
    try {
      const reply = await this.scripts.presence([this.keys.nodes, this.keys.seen, this.keys.user(userId)], [this.nodeId, userId]);
      return Number(asList(reply)[0]);
    } catch (error) {
      this.report('count connections', error);
      return this.held.get(userId)?.size ?? 0;
    }
  }

  /**
   * Forgets the nodes whose heartbeat expired and resolves the users who thereby went offline
   * (no connection left on any live node), each reported by exactly one sweep in the cluster.
   * Call it periodically on every node and announce the result.
   * @throws AppError `store_unavailable` when Redis does not answer.
   */
  async sweepExpired(): Promise<string[]> {
    const reply = await this.command('sweep expired nodes', () =>
      this.scripts.sweep([this.keys.nodes, this.keys.seen], [this.nodeId, this.keys.user(''), this.keys.node(''), new Date().toISOString()]),
    );
    return asList(reply).map(String);
  }

  /** Stops heartbeating and closes the connection; this node's connections expire after the TTL. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.beating;
    await closeRedisClient(this.redis);
  }

  private async transition(action: string, script: RedisScript, userId: string, connectionId: string): Promise<boolean> {
    try {
      const keys = [this.keys.nodes, this.keys.node(this.nodeId), this.keys.user(userId), this.keys.seen];
      const [changed, selfAlive] = asList(await script(keys, [this.nodeId, userId, connectionId, new Date().toISOString()])).map(Number);
      // Redis had given this node up (restart, stall): the other connections need writing again.
      if (selfAlive !== 1) this.requestResync();
      return changed === 1;
    } catch (error) {
      this.report(action, error);
      this.requestResync();
      return false;
    }
  }

  private requestResync(): void {
    this.dirty = true;
    if (!this.closed) void this.heartbeat();
  }

  private heartbeat(): Promise<void> {
    this.beating ??= this.beat().finally(() => (this.beating = undefined));
    return this.beating;
  }

  /** Never rejects: it runs from a timer. */
  private async beat(): Promise<void> {
    if (this.closed) return;
    try {
      const wasAlive = await this.scripts.heartbeat([this.keys.nodes], [this.nodeId, this.ttlMs]);
      if (wasAlive === 1 && !this.dirty) return;
      this.dirty = false;
      const change = await this.resync();
      if (change.online.length > 0 || change.offline.length > 0) this.onResync(change);
    } catch (error) {
      this.dirty = true;
      this.report('heartbeat', error);
    }
  }

  /** Makes Redis hold exactly this node's connections (`held`), and reports what that changed. */
  private async resync(): Promise<PresenceResync> {
    const pairs = [...this.held].flatMap(([userId, set]) => [...set].flatMap((connectionId) => [userId, connectionId]));
    const keys = [this.keys.nodes, this.keys.node(this.nodeId), this.keys.seen];
    const reply = asList(await this.scripts.resync(keys, [this.nodeId, this.ttlMs, this.keys.user(''), new Date().toISOString(), ...pairs]));
    return { online: asList(reply[0]).map(String), offline: asList(reply[1]).map(String) };
  }

  private async command<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.report(action, error);
      throw new AppError('store_unavailable', 'Presence is unavailable: Redis did not answer', { reason: messageOf(error) });
    }
  }

  private report(action: string, error: unknown): void {
    this.reportError(new Error(`Redis presence could not ${action}: ${messageOf(error)}`, { cause: error }));
  }
}

interface PresenceKeys {
  readonly nodes: string;
  readonly seen: string;
  readonly node: (nodeId: string) => string;
  readonly user: (userId: string) => string;
}

function presenceKeys(prefix: string): PresenceKeys {
  return {
    /** Sorted set: node id → heartbeat expiry (ms, Redis clock). */
    nodes: `${prefix}presence:nodes`,
    /** Hash: user id → ISO time of the last connect or disconnect. */
    seen: `${prefix}presence:seen`,
    /** Set: the users with a connection on the node. */
    node: (nodeId) => `${prefix}presence:node:${nodeId}`,
    /** Hash: `<node>|<connection>` → 1, the user's connections. */
    user: (userId) => `${prefix}presence:user:${userId}`,
  };
}

interface PresenceScripts {
  readonly heartbeat: RedisScript;
  readonly connect: RedisScript;
  readonly disconnect: RedisScript;
  readonly presence: RedisScript;
  readonly sweep: RedisScript;
  readonly resync: RedisScript;
}

function definePresenceScripts(redis: Redis): PresenceScripts {
  return {
    heartbeat: defineScript(redis, 'sbPresenceHeartbeat', HEARTBEAT),
    connect: defineScript(redis, 'sbPresenceConnect', CONNECT),
    disconnect: defineScript(redis, 'sbPresenceDisconnect', DISCONNECT),
    presence: defineScript(redis, 'sbPresenceRead', PRESENCE),
    sweep: defineScript(redis, 'sbPresenceSweep', SWEEP),
    resync: defineScript(redis, 'sbPresenceResync', RESYNC),
  };
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Shared by every script. A connection is live while its node's score is in the future; the
// calling node is always live (it is running). `scan` with `clean` deletes dead nodes' fields,
// which only the scripts that report the resulting transitions may do.
const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local cache = {}
local function is_live(nodes, node, self, now)
  if node == nil then return false end
  if node == self then return true end
  if cache[node] == nil then
    local score = redis.call('ZSCORE', nodes, node)
    cache[node] = score ~= false and tonumber(score) > now
  end
  return cache[node]
end
local function scan(nodes, key, self, now, clean)
  local live, removed, own = 0, 0, 0
  for _, field in ipairs(redis.call('HKEYS', key)) do
    local node = string.match(field, '^([^|]*)|')
    if node == self then own = own + 1 end
    if is_live(nodes, node, self, now) then live = live + 1
    elseif clean then redis.call('HDEL', key, field); removed = removed + 1 end
  end
  return live, removed, own
end
local function self_alive(nodes, self, now)
  local score = redis.call('ZSCORE', nodes, self)
  if score ~= false and tonumber(score) > now then return 1 end
  return 0
end
`;

/** KEYS nodes · ARGV node, ttlMs → 1 when the node was still alive before this beat. */
const HEARTBEAT = `${PRELUDE}
local now = now_ms()
local alive = self_alive(KEYS[1], ARGV[1], now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return alive`;

/** KEYS nodes, node users, user, seen · ARGV node, user, connection, iso → {came online, node alive}. */
const CONNECT = `${PRELUDE}
local now = now_ms()
local live = scan(KEYS[1], KEYS[3], ARGV[1], now, true)
redis.call('HSET', KEYS[3], ARGV[1] .. '|' .. ARGV[3], '1')
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[4], ARGV[2], ARGV[4])
return { live == 0 and 1 or 0, self_alive(KEYS[1], ARGV[1], now) }`;

/** Same keys and arguments as CONNECT → {went offline, node alive}; an unknown connection changes nothing. */
const DISCONNECT = `${PRELUDE}
local now = now_ms()
if redis.call('HDEL', KEYS[3], ARGV[1] .. '|' .. ARGV[3]) == 0 then return { 0, self_alive(KEYS[1], ARGV[1], now) } end
redis.call('HSET', KEYS[4], ARGV[2], ARGV[4])
local live, _, own = scan(KEYS[1], KEYS[3], ARGV[1], now, true)
if own == 0 then redis.call('SREM', KEYS[2], ARGV[2]) end
return { live == 0 and 1 or 0, self_alive(KEYS[1], ARGV[1], now) }`;

/** KEYS nodes, seen, user… · ARGV node, user id… → {live count, last seen or ''} per user. */
const PRESENCE = `${PRELUDE}
local now = now_ms()
local out = {}
for i = 3, #KEYS do
  local live = scan(KEYS[1], KEYS[i], ARGV[1], now, false)
  table.insert(out, live)
  table.insert(out, redis.call('HGET', KEYS[2], ARGV[i - 1]) or '')
end
return out`;

/** KEYS nodes, seen · ARGV node, user key prefix, node key prefix, iso → users who went offline. */
const SWEEP = `${PRELUDE}
local now = now_ms()
local dead = {}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  if node ~= ARGV[1] then table.insert(dead, node); redis.call('ZREM', KEYS[1], node) end
end
local offline, done = {}, {}
for _, node in ipairs(dead) do
  local members = ARGV[3] .. node
  for _, user in ipairs(redis.call('SMEMBERS', members)) do
    if not done[user] then
      done[user] = true
      local live, removed = scan(KEYS[1], ARGV[2] .. user, ARGV[1], now, true)
      if removed > 0 and live == 0 then
        table.insert(offline, user)
        redis.call('HSET', KEYS[2], user, ARGV[4])
      end
    end
  end
  redis.call('DEL', members)
end
return offline`;

/**
 * KEYS nodes, node users, seen · ARGV node, ttlMs, user key prefix, iso, then user/connection
 * pairs the node holds → {came online, went offline}. Also renews the node's heartbeat.
 */
const RESYNC = `${PRELUDE}
local now = now_ms()
local self = ARGV[1]
local mine = self .. '|'
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), self)
local held = {}
for i = 5, #ARGV, 2 do
  held[ARGV[i]] = held[ARGV[i]] or {}
  held[ARGV[i]][mine .. ARGV[i + 1]] = true
end
local online, offline = {}, {}
for _, user in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local key = ARGV[3] .. user
  local wanted = held[user] or {}
  local dropped = 0
  for _, field in ipairs(redis.call('HKEYS', key)) do
    if string.sub(field, 1, #mine) == mine and not wanted[field] then
      redis.call('HDEL', key, field)
      dropped = dropped + 1
    end
  end
  if not held[user] then
    redis.call('SREM', KEYS[2], user)
    local live, removed = scan(KEYS[1], key, self, now, true)
    if dropped + removed > 0 and live == 0 then
      table.insert(offline, user)
      redis.call('HSET', KEYS[3], user, ARGV[4])
    end
  end
end
for user, fields in pairs(held) do
  local key = ARGV[3] .. user
  local live = scan(KEYS[1], key, self, now, true)
  local added = 0
  for field in pairs(fields) do added = added + redis.call('HSETNX', key, field, '1') end
  redis.call('SADD', KEYS[2], user)
  if live == 0 and added > 0 then
    table.insert(online, user)
    redis.call('HSET', KEYS[3], user, ARGV[4])
  end
end
return { online, offline }`;
