import proxyAddr from '@fastify/proxy-addr';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule } from '../webhooks/retry-schedule.js';
import { isWebhookSecret } from '../webhooks/webhook-signer.js';
import { parseStepList } from '../notifications/escalation-steps.js';
import type { EscalationStep } from '../storage/store.js';

/** Everything the server can be told, read from the environment once at boot. */
export interface Config {
  /** TCP port. @default 8000 */
  readonly port: number;
  /** Interface to bind. @default "0.0.0.0" */
  readonly host: string;
  /** Directory for the SQLite file, uploads and the generated JWT secret. @default "./data" */
  readonly dataDir: string;
  /** PostgreSQL URL; absent means SQLite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** PostgreSQL connections per node (pool size). @default 10 */
  readonly databasePoolSize: number;
  /** How long a query may wait for a PostgreSQL connection before failing as `store_unavailable`, in ms. @default 5000 */
  readonly databaseConnectTimeoutMs: number;
  /**
   * Longest a PostgreSQL statement may run, in ms: the server cancels it (`statement_timeout`,
   * also the limit of a transaction left idle), and the node stops waiting for a connection that
   * has stayed silent for this long plus one second, so a stalled database answers
   * `store_unavailable` instead of never. Migrations are exempt. @default 5000
   */
  readonly databaseStatementTimeoutMs: number;
  /** Redis URL; absent means the in-process bus. */
  readonly redisUrl: string | undefined;
  /** Prefix of every Redis key and channel, so deployments can share a Redis. @default "switchboard:" */
  readonly redisKeyPrefix: string;
  /**
   * How long a Redis command may wait for its answer, in ms; a connection silent for that long
   * with commands pending is dropped and reconnected, so a stalled Redis degrades the node
   * (limits per node, events local) instead of stopping its sends. @default 1000
   */
  readonly redisCommandTimeoutMs: number;
  /** HS256 secret for tokens this server mints and for host-app tokens signed with a shared secret. */
  readonly jwtSecret: string;
  /** True when `jwtSecret` was generated rather than configured. */
  readonly jwtSecretGenerated: boolean;
  /** JWKS URL of a host app whose RS/ES-signed tokens are accepted. */
  readonly jwksUrl: string | undefined;
  /** Required `iss` of host-app tokens, when set. */
  readonly jwtIssuer: string | undefined;
  /** Required `aud` of host-app tokens, when set. */
  readonly jwtAudience: string | undefined;
  /** Lifetime of tokens minted by `/v1/auth/login`, in seconds. @default 86400 */
  readonly tokenTtlSeconds: number;
  /** Lifetime of an opaque session (`POST /api/auth/login`), in seconds. @default 86400 (1 day) */
  readonly sessionTtlSeconds: number;
  /** Lifetime of an opaque session when the login asked to be remembered, in seconds. @default 2592000 (30 days) */
  readonly sessionRememberTtlSeconds: number;
  /**
   * The host app's access check: Switchboard POSTs `{user_id, context:{type, id}}` there,
   * signed with `hostAccessSecret`, when someone asks to enter a host object's conversation
   * they are not in (docs/profiles/steppergo.md). Absent: only participants the host registered
   * (`PUT /v1/conversations/by-context/…`) enter.
   */
  readonly hostAccessUrl: string | undefined;
  /** HMAC-SHA256 key of the access check's signature; required with `hostAccessUrl`, at least 32 characters. */
  readonly hostAccessSecret: string | undefined;
  /** How long an answer of the access check is reused, in seconds (0: never). @default 30 */
  readonly hostAccessCacheSeconds: number;
  /** How long the access check may take before the host counts as down, in ms. @default 2000 */
  readonly hostAccessTimeoutMs: number;
  /** Server-to-server API keys (comma separated in `API_KEYS`). @default [] */
  readonly apiKeys: readonly string[];
  /** Path of a JSON or YAML policy file; absent means the built-in default. */
  readonly policyFile: string | undefined;
  /** Largest accepted REST body, in bytes. @default 1048576 */
  readonly bodyLimitBytes: number;
  /** Largest accepted uploaded file, in bytes. @default 10485760 (10 MiB) */
  readonly uploadMaxFileBytes: number;
  /** Files accepted in one upload request. @default 5 */
  readonly uploadMaxFiles: number;
  /** Uploads no message claimed within this many seconds are deleted, bytes included. @default 86400 */
  readonly uploadUnclaimedTtlSeconds: number;
  /**
   * clamd to scan every upload with before it is served, `tcp://host:port` or
   * `unix:///path/to/clamd.ctl`; absent means no scanner: uploads are `clean` at once.
   */
  readonly clamdUrl: string | undefined;
  /**
   * With `clamdUrl`: `required` serves a file only once clamd passed it (fail closed: a file whose
   * scan cannot run stays unavailable, then `failed`); `best_effort` serves a file whose scan
   * could not run as `unscanned` and keeps trying. @default "required"
   */
  readonly scanMode: ScanMode;
  /**
   * How long clamd may stay silent (while connecting, reading the file or answering) before
   * the scan counts as not run, in ms; below the job lease (60 s). @default 30000
   */
  readonly clamdTimeoutMs: number;
  /** Longest accepted message content, in characters. @default 10000 */
  readonly maxMessageLength: number;
  /** Messages one user may send per window, on all transports together. @default 30 */
  readonly sendRatePoints: number;
  /** The send rate window, in seconds. @default 10 */
  readonly sendRateWindowSeconds: number;
  /** Wrong passwords in a row for one account from one address before that pair is blocked. @default 10 */
  readonly loginMaxConsecutiveFailures: number;
  /** How long a blocked account-and-address pair must wait, in seconds. @default 900 */
  readonly loginBlockSeconds: number;
  /** Failed logins one address may make per window, over all accounts, before it is blocked. @default 100 */
  readonly loginMaxFailuresPerAddress: number;
  /** The window of the per-address cap, and how long a run of failures is remembered, in seconds. @default 86400 */
  readonly loginWindowSeconds: number;
  /** Host-app tokens older than this (by `iat`), or without `iat` expiring further ahead, are refused, in seconds. @default 86400 */
  readonly jwtMaxAgeSeconds: number;
  /** Open real-time connections allowed per user; one more is refused. @default 10 */
  readonly maxConnectionsPerUser: number;
  /**
   * Real-time connections one client address may hold open on this node, authenticated or not,
   * on every gateway together; one more is refused. The address is the TCP peer's: behind a
   * proxy every client shares the proxy's unless `TRUST_PROXY` names it. @default 1000
   */
  readonly maxConnectionsPerAddress: number;
  /**
   * The reverse proxies whose `X-Forwarded-For` names the client (addresses, CIDR subnets, or
   * `loopback` / `linklocal` / `uniquelocal`), comma separated in `TRUST_PROXY`. The client
   * address every per-address limit counts (connections, logins) is then the nearest address
   * that is not one of them. Empty: the TCP peer is the client. @default []
   */
  readonly trustProxy: readonly string[];
  /**
   * How long a WebSocket upgrade may stay unanswered, and a real-time connection unauthenticated,
   * before the server closes it, in ms. @default 10000
   */
  readonly authTimeoutMs: number;
  /** How long a client may take to send a request's headers before it is answered 408 and closed, in ms. @default 10000 */
  readonly httpHeadersTimeoutMs: number;
  /**
   * Browser origins (`https://app.example.com`) allowed to call REST and Socket.IO from their
   * pages, comma separated in `CORS_ORIGINS`; `*` allows any. Empty: same-origin only. @default []
   */
  readonly corsOrigins: readonly string[];
  /** Largest real-time frame answered with an error frame; larger than 1 MiB closes. @default 65536 */
  readonly maxFrameBytes: number;
  /** Bytes queued to a real-time connection before it counts as a slow consumer. @default 1048576 */
  readonly maxBufferedBytes: number;
  /** Seconds between protocol pings; a peer that misses one is dropped. @default 30 */
  readonly keepaliveSeconds: number;
  /** Seconds a typing indicator lasts without a refresh. @default 10 */
  readonly typingTimeoutSeconds: number;
  /** Distinct people whose open reports hide a message until a moderator looks. @default 3 */
  readonly moderationAutoHideReports: number;
  /** How long a node keeps the blocklist and a sender's bans and mutes before reading them again, in ms (how soon a change made on another node applies). @default 2000 */
  readonly moderationCacheMs: number;
  /**
   * How long a node trusts a bearer token it checked (signature, user, revocation, disabled
   * flag) before checking it against the store again, in ms; 0 checks every time. A logout,
   * revocation, disable or role change made through any node applies at once on every node (over
   * the bus); this bounds how long one the bus did not carry takes (a CLI run against the
   * embedded database of a running node, a bus outage). @default 5000
   */
  readonly authCacheMs: number;
  /**
   * With Redis: how long a node's users stay online after its last heartbeat (a crashed node's
   * users go offline this long after it stopped). @default 30
   */
  readonly presenceTtlSeconds: number;
  /** With Redis: how often each node renews its users' presence; at most a third of the TTL. @default 10 */
  readonly presenceHeartbeatSeconds: number;
  /**
   * Whether this node runs outbox jobs (first-response stamps, later webhooks and notifications).
   * Off for API-only nodes: they still write jobs, and the nodes with it on run them. @default true
   */
  readonly jobsEnabled: boolean;
  /** How often the job runner looks for due jobs, in ms; a local commit that wrote jobs wakes it at once. @default 1000 */
  readonly jobPollMs: number;
  /** Runs of a job before it is given up and kept as a dead letter (`failed_at`). @default 10 */
  readonly jobMaxAttempts: number;
  /**
   * Delays before each retry of a webhook delivery, in ms, from `WEBHOOK_RETRY_SCHEDULE`
   * (durations like `5s,5m,30m,2h`), each spread ±20 %. @default 5s,5m,30m,2h,5h,10h,10h
   */
  readonly webhookRetrySchedule: readonly number[];
  /** Let webhooks reach private and loopback addresses (refused otherwise, at registration and at delivery). @default false */
  readonly webhookAllowPrivate: boolean;
  /** How long a receiver may take to answer one delivery, in ms. @default 15000 */
  readonly webhookTimeoutMs: number;
  /** Deliveries to one endpoint in flight at once on one node; the rest wait their turn. @default 4 */
  readonly webhookMaxInFlight: number;
  /** Asked before every message is written (`docs/webhooks.md`); off when unset. */
  readonly preSendHookUrl: string | undefined;
  /** `whsec_…` key the pre-send call is signed with (Standard Webhooks); required with the URL. */
  readonly preSendHookSecret: string | undefined;
  /** How long the pre-send hook may take, in ms. @default 1500 */
  readonly preSendHookTimeoutMs: number;
  /** What a send does when the hook fails or times out: `open` sends it, `closed` refuses it. @default "open" */
  readonly preSendHookFailure: 'open' | 'closed';
  /**
   * Where the web app is reached, for links in notifications (emails, pushes, unsubscribe).
   * @default "http://localhost:<PORT>"
   */
  readonly publicUrl: string;
  /** VAPID key pair for web push (base64url); both or neither. Absent: generated once into `DATA_DIR/vapid-keys.json`. */
  readonly vapidPublicKey: string | undefined;
  readonly vapidPrivateKey: string | undefined;
  /** Contact the push services may reach (`mailto:` or `https:`). @default "mailto:notifications@switchboard.invalid" */
  readonly vapidSubject: string;
  /** SMTP server for missed-message emails (`smtp://user:pass@host:port`, `smtps://…`). Absent: no email. */
  readonly smtpUrl: string | undefined;
  /** Sender of notification emails; required with `smtpUrl`. */
  readonly emailFrom: string | undefined;
  /** The host app's endpoint for SMS and calls: escalation steps on `sms_webhook` POST there. Absent: those steps are skipped. */
  readonly escalationWebhookUrl: string | undefined;
  /** `whsec_<base64>` key the escalation webhook is signed with (Standard Webhooks); required with its URL. */
  readonly escalationWebhookSecret: string | undefined;
  /** Escalation for conversation types and queues the policy file does not name. @default 30s push, then 10m email */
  readonly notificationSteps: readonly EscalationStep[];
  /**
   * Whether messages and reads feed notifications (the feed, push, email, escalation). The
   * schedule is one coalesced job per conversation (docs/notifications.md, "Cost"); turning it
   * off stops new schedules and leaves the rest of the service as it is.
   * @default true
   */
  readonly notificationsEnabled: boolean;
  /** pino level. @default "info" */
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Seed demo users into an empty database. @default false (true under `npm start`) */
  readonly seedDemo: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const SCAN_MODES = ['required', 'best_effort'] as const;
const HOOK_FAILURE_MODES = ['open', 'closed'] as const;
export type ScanMode = (typeof SCAN_MODES)[number];
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads, validates and freezes the configuration. All problems are reported at once.
 * @example const config = loadConfig(process.env, { seedDemo: true });
 */
export function loadConfig(env: Env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);
  const dataDir = resolve(read.string('DATA_DIR') ?? './data');
  const databaseUrl = read.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const explicitSecret = read.string('JWT_SECRET');
  if (explicitSecret !== undefined && explicitSecret.length < 32) {
    problems.push('JWT_SECRET: must be at least 32 characters');
  }
  const partial = {
    port: read.int('PORT', 8000, 0, 65535),
    host: read.string('HOST') ?? '0.0.0.0',
    dataDir,
    databaseUrl,
    databasePoolSize: read.int('DATABASE_POOL_SIZE', 10, 1, 1000),
    databaseConnectTimeoutMs: read.int('DATABASE_CONNECT_TIMEOUT_MS', 5000, 100, 600_000),
    databaseStatementTimeoutMs: read.int('DATABASE_STATEMENT_TIMEOUT_MS', 5000, 100, 3_600_000),
    redisUrl: read.url('REDIS_URL', ['redis:', 'rediss:']),
    redisKeyPrefix: read.string('REDIS_KEY_PREFIX') ?? 'switchboard:',
    redisCommandTimeoutMs: read.int('REDIS_COMMAND_TIMEOUT_MS', 1000, 50, 60_000),
    jwksUrl: read.url('JWKS_URL', ['http:', 'https:']),
    jwtIssuer: read.string('JWT_ISSUER'),
    jwtAudience: read.string('JWT_AUDIENCE'),
    tokenTtlSeconds: read.int('TOKEN_TTL_SECONDS', 86400, 60, 31_536_000),
    sessionTtlSeconds: read.int('SESSION_TTL_SECONDS', 86_400, 60, 31_536_000),
    sessionRememberTtlSeconds: read.int('SESSION_REMEMBER_TTL_SECONDS', 2_592_000, 60, 31_536_000),
    hostAccessUrl: read.url('HOST_ACCESS_URL', ['http:', 'https:']),
    hostAccessSecret: read.string('HOST_ACCESS_SECRET'),
    hostAccessCacheSeconds: read.int('HOST_ACCESS_CACHE_SECONDS', 30, 0, 3600),
    hostAccessTimeoutMs: read.int('HOST_ACCESS_TIMEOUT_MS', 2000, 50, 60_000),
    apiKeys: read.list('API_KEYS'),
    policyFile: read.string('POLICY_FILE'),
    bodyLimitBytes: read.int('BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    uploadMaxFileBytes: read.int('UPLOAD_MAX_FILE_BYTES', 10_485_760, 1, 1_073_741_824),
    uploadMaxFiles: read.int('UPLOAD_MAX_FILES', 5, 1, 100),
    uploadUnclaimedTtlSeconds: read.int('UPLOAD_UNCLAIMED_TTL_SECONDS', 86_400, 60, 31_536_000),
    clamdUrl: read.url('CLAMD_URL', ['tcp:', 'unix:']),
    scanMode: read.oneOf('SCAN_MODE', SCAN_MODES, 'required'),
    clamdTimeoutMs: read.int('CLAMD_TIMEOUT_MS', 30_000, 100, 50_000),
    maxMessageLength: read.int('MAX_MESSAGE_LENGTH', 10_000, 1, 1_000_000),
    sendRatePoints: read.int('SEND_RATE_POINTS', 30, 1, 1_000_000),
    sendRateWindowSeconds: read.int('SEND_RATE_WINDOW_SECONDS', 10, 1, 86_400),
    loginMaxConsecutiveFailures: read.int('LOGIN_MAX_CONSECUTIVE_FAILURES', 10, 1, 1000),
    loginBlockSeconds: read.int('LOGIN_BLOCK_SECONDS', 900, 1, 86_400),
    loginMaxFailuresPerAddress: read.int('LOGIN_MAX_FAILURES_PER_ADDRESS', 100, 1, 1_000_000),
    loginWindowSeconds: read.int('LOGIN_WINDOW_SECONDS', 86_400, 60, 2_592_000),
    jwtMaxAgeSeconds: read.int('JWT_MAX_AGE_SECONDS', 86_400, 60, 31_536_000),
    maxConnectionsPerUser: read.int('MAX_CONNECTIONS_PER_USER', 10, 1, 10_000),
    maxConnectionsPerAddress: read.int('MAX_CONNECTIONS_PER_ADDRESS', 1000, 0, 10_000_000),
    trustProxy: read.proxies('TRUST_PROXY'),
    authTimeoutMs: read.int('AUTH_TIMEOUT_MS', 10_000, 100, 600_000),
    httpHeadersTimeoutMs: read.int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
    corsOrigins: read.origins('CORS_ORIGINS'),
    maxFrameBytes: read.int('MAX_FRAME_BYTES', 65_536, 1024, 1_048_576),
    maxBufferedBytes: read.int('MAX_BUFFERED_BYTES', 1_048_576, 16_384, 268_435_456),
    keepaliveSeconds: read.int('KEEPALIVE_SECONDS', 30, 1, 3600),
    typingTimeoutSeconds: read.int('TYPING_TIMEOUT_SECONDS', 10, 1, 300),
    moderationAutoHideReports: read.int('MODERATION_AUTO_HIDE_REPORTS', 3, 1, 1000),
    moderationCacheMs: read.int('MODERATION_CACHE_MS', 2000, 0, 60_000),
    authCacheMs: read.int('AUTH_CACHE_MS', 5000, 0, 60_000),
    presenceTtlSeconds: read.int('PRESENCE_TTL_SECONDS', 30, 3, 3600),
    presenceHeartbeatSeconds: read.int('PRESENCE_HEARTBEAT_SECONDS', 10, 1, 1200),
    jobsEnabled: read.bool('JOBS_ENABLED', true),
    jobPollMs: read.int('JOB_POLL_MS', 1000, 10, 600_000),
    jobMaxAttempts: read.int('JOB_MAX_ATTEMPTS', 10, 1, 1000),
    webhookRetrySchedule: read.schedule('WEBHOOK_RETRY_SCHEDULE', DEFAULT_RETRY_SCHEDULE),
    webhookAllowPrivate: read.bool('WEBHOOK_ALLOW_PRIVATE', false),
    webhookTimeoutMs: read.int('WEBHOOK_TIMEOUT_MS', 15_000, 100, 30_000),
    webhookMaxInFlight: read.int('WEBHOOK_MAX_IN_FLIGHT', 4, 1, 100),
    preSendHookUrl: read.url('PRE_SEND_HOOK_URL', ['http:', 'https:']),
    preSendHookSecret: read.string('PRE_SEND_HOOK_SECRET'),
    preSendHookTimeoutMs: read.int('PRE_SEND_HOOK_TIMEOUT_MS', 1500, 1, 5000),
    preSendHookFailure: read.oneOf('PRE_SEND_HOOK_FAILURE', HOOK_FAILURE_MODES, 'open'),
    publicUrl: (read.url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${env.PORT ?? 8000}`).replace(/\/+$/, ''),
    vapidPublicKey: read.string('VAPID_PUBLIC_KEY'),
    vapidPrivateKey: read.string('VAPID_PRIVATE_KEY'),
    vapidSubject: read.string('VAPID_SUBJECT') ?? 'mailto:notifications@switchboard.invalid',
    smtpUrl: read.url('SMTP_URL', ['smtp:', 'smtps:']),
    emailFrom: read.string('EMAIL_FROM'),
    escalationWebhookUrl: read.url('ESCALATION_WEBHOOK_URL', ['http:', 'https:']),
    escalationWebhookSecret: read.string('ESCALATION_WEBHOOK_SECRET'),
    notificationSteps: read.steps('NOTIFICATION_STEPS', '30s:push,10m:email'),
    notificationsEnabled: read.bool('NOTIFICATIONS_ENABLED', true),
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    seedDemo: read.bool('SEED_DEMO', false),
  };
  if (partial.presenceHeartbeatSeconds * 3 > partial.presenceTtlSeconds) {
    problems.push('PRESENCE_HEARTBEAT_SECONDS: must be at most a third of PRESENCE_TTL_SECONDS, so one missed heartbeat does not take a node\'s users offline');
  }
  problems.push(...clamdProblems(partial.clamdUrl, read.string('CLAMD_URL'), read.string('SCAN_MODE')));
  if (partial.hostAccessUrl !== undefined && (partial.hostAccessSecret ?? '').length < 32) {
    problems.push('HOST_ACCESS_SECRET: required with HOST_ACCESS_URL, at least 32 characters (the host verifies each call with it)');
  }
  if (partial.preSendHookUrl !== undefined && !isWebhookSecret(partial.preSendHookSecret ?? '')) {
    problems.push('PRE_SEND_HOOK_SECRET: required with PRE_SEND_HOOK_URL, a whsec_ secret (whsec_ and the base64 of at least 16 random bytes); the hook verifies each call with it');
  }
  problems.push(...notificationProblems(partial));
  for (const key of partial.apiKeys) {
    if (key.length < 16) problems.push('API_KEYS: every key must be at least 16 characters');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const secret = explicitSecret ?? overrides.jwtSecret ?? loadOrCreateSecret(dataDir, databaseUrl);
  return Object.freeze({
    ...partial,
    jwtSecret: secret,
    jwtSecretGenerated: explicitSecret === undefined && overrides.jwtSecret === undefined,
    ...overrides,
  });
}

/** A generated secret must survive restarts, or every issued token would die with the process. */
function loadOrCreateSecret(dataDir: string, databaseUrl: string | undefined): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  if (databaseUrl !== undefined) {
    // Several nodes would each invent a different secret and reject each other's tokens.
    throw new ConfigError(['JWT_SECRET: required when DATABASE_URL is set (all nodes must share it)']);
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** Notification settings that would fail on the first send rather than at boot. */
function notificationProblems(c: Pick<Config, 'vapidPublicKey' | 'vapidPrivateKey' | 'vapidSubject' | 'smtpUrl' | 'emailFrom' | 'escalationWebhookUrl' | 'escalationWebhookSecret'>): string[] {
  const problems: string[] = [];
  const base64url = /^[A-Za-z0-9_-]+$/;
  if ((c.vapidPublicKey === undefined) !== (c.vapidPrivateKey === undefined)) problems.push('VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: set both or neither (neither: a pair is generated into DATA_DIR)');
  else if (c.vapidPublicKey !== undefined) {
    if (!base64url.test(c.vapidPublicKey) || Buffer.from(c.vapidPublicKey, 'base64url').length !== 65) problems.push('VAPID_PUBLIC_KEY: expected a base64url P-256 public key (65 bytes uncompressed)');
    if (!base64url.test(c.vapidPrivateKey!) || Buffer.from(c.vapidPrivateKey!, 'base64url').length !== 32) problems.push('VAPID_PRIVATE_KEY: expected a base64url P-256 private key (32 bytes)');
  }
  if (!/^(mailto:.+|https:\/\/.+)$/.test(c.vapidSubject)) problems.push('VAPID_SUBJECT: expected a mailto: address or an https: URL');
  if (c.smtpUrl !== undefined && c.emailFrom === undefined) problems.push('EMAIL_FROM: required with SMTP_URL (the sender of notification emails)');
  if (c.emailFrom !== undefined && !/^(.*<[^@\s<>]+@[^@\s<>]+>|[^@\s<>]+@[^@\s<>]+)$/.test(c.emailFrom)) problems.push('EMAIL_FROM: expected an address, e.g. Switchboard <noreply@example.com>');
  if (c.escalationWebhookUrl !== undefined && !isWebhookSecret(c.escalationWebhookSecret ?? '')) {
    problems.push('ESCALATION_WEBHOOK_SECRET: required with ESCALATION_WEBHOOK_URL, a whsec_ secret (whsec_ and the base64 of at least 16 random bytes); the host verifies each call with it');
  }
  return problems;
}

/** A clamd address that cannot be dialled, or a scan mode that would silently scan nothing. */
function clamdProblems(clamdUrl: string | undefined, rawClamdUrl: string | undefined, scanMode: string | undefined): string[] {
  if (clamdUrl === undefined) {
    // A CLAMD_URL that did not parse is reported already.
    const scansNothing = rawClamdUrl === undefined && scanMode !== undefined;
    return scansNothing ? ['SCAN_MODE: has no effect without CLAMD_URL (uploads would not be scanned at all)'] : [];
  }
  const url = new URL(clamdUrl);
  if (url.protocol === 'tcp:' && (url.hostname === '' || url.port === '')) return ['CLAMD_URL: expected tcp://host:port, e.g. tcp://127.0.0.1:3310'];
  if (url.protocol === 'unix:' && (url.pathname === '' || url.pathname === '/')) return ['CLAMD_URL: expected unix:///path/to/clamd.ctl'];
  return [];
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  steps(name: string, fallback: string): EscalationStep[] {
    try {
      return parseStepList(this.string(name) ?? fallback);
    } catch (error) {
      this.problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  }

  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name}: expected an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name}: expected true or false, got "${raw}"`);
    return fallback;
  }

  url(name: string, protocols: readonly string[]): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    try {
      const url = new URL(raw);
      if (protocols.includes(url.protocol)) return raw;
      this.problems.push(`${name}: expected a ${protocols.join(' or ')} URL, got "${url.protocol}"`);
    } catch {
      this.problems.push(`${name}: not a valid URL`);
    }
    return undefined;
  }

  list(name: string): string[] {
    const raw = this.string(name);
    return raw === undefined ? [] : raw.split(',').map((s) => s.trim()).filter(Boolean);
  }

  /** Trusted proxies as proxy-addr takes them: addresses, subnets or its named ranges. */
  proxies(name: string): string[] {
    const proxies = this.list(name);
    try {
      if (proxies.length > 0) proxyAddr.compile(proxies);
    } catch (error) {
      this.problems.push(`${name}: ${error instanceof Error ? error.message : String(error)} (expected addresses, CIDR subnets, loopback, linklocal or uniquelocal)`);
    }
    return proxies;
  }

  /** Browser origins as a browser sends them (`scheme://host[:port]`, no path), or `*`. */
  origins(name: string): string[] {
    const origins = this.list(name);
    for (const origin of origins) {
      if (origin === '*') continue;
      let parsed: URL | undefined;
      try {
        parsed = new URL(origin);
      } catch {
        // reported below
      }
      if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
        this.problems.push(`${name}: "${origin}" is not an origin; expected scheme://host[:port] with no path or trailing slash, e.g. https://app.example.com, or *`);
      }
    }
    return origins;
  }

  /** A retry schedule such as `5s,5m,30m`, in ms. */
  schedule(name: string, fallback: string): number[] {
    try {
      return parseRetrySchedule(this.string(name) ?? fallback);
    } catch (error) {
      this.problems.push(`${name}: ${error instanceof Error ? error.message : String(error)} (expected durations separated by commas, e.g. 5s,5m,30m,2h)`);
      return parseRetrySchedule(fallback);
    }
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name}: expected one of ${allowed.join(', ')}, got "${raw}"`);
    return fallback;
  }
}
