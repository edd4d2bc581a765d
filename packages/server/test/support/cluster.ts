import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SignJWT } from 'jose';
import { createScratchPostgres, dropScratchPostgres } from './scratch-postgres.js';
import { deleteKeys, openAdmin } from '../bus/redis-test-kit.js';
import { requiredService } from './required-service.js';
import { TestSioClient } from './sio-client.js';
import { TestWsClient } from './ws-client.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'switchboard.js');

/** Shared by every node of a test cluster, as production nodes must share theirs. */
export const CLUSTER_JWT_SECRET = 'cluster-test-secret-0123456789abcdefghijkl';
export const CLUSTER_API_KEY = 'cluster-test-api-key-0123456789';

/**
 * How long a node may take from spawn to its "serving" line: bin/switchboard.js runs the compiled
 * server (a few hundred ms alone), or its sources through tsx when the build is stale, and other
 * suites share the machine.
 */
const START_TIMEOUT_MS = 90_000;
/** How long a SIGTERMed node may take to drain before it is killed. */
const STOP_TIMEOUT_MS = 10_000;
/** Log lines kept per node, for failure messages. */
const LOG_LINES = 400;

/** Node processes still running, killed if the test process exits without cleaning up. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface ClusterServices {
  /** Admin connection to PostgreSQL; a database is created (and dropped) per cluster. */
  readonly databaseUrl: string;
  readonly redisUrl: string;
}

/**
 * PostgreSQL and Redis from `TEST_DATABASE_URL` and `TEST_REDIS_URL`. Either missing: a loud skip
 * (undefined), or a failure under `REQUIRE_SERVICES=1`.
 */
export function clusterServices(): ClusterServices | undefined {
  const databaseUrl = requiredService('TEST_DATABASE_URL', 'PostgreSQL (cluster tests)');
  const redisUrl = requiredService('TEST_REDIS_URL', 'Redis (cluster tests)');
  return databaseUrl !== undefined && redisUrl !== undefined ? { databaseUrl, redisUrl } : undefined;
}

export interface ClusterUser {
  readonly id: string;
  readonly roles: readonly string[];
  /** An HS256 token minted with the shared secret, as a host app mints them. */
  readonly token: string;
}

export interface RequestOptions {
  readonly token?: string;
  readonly apiKey?: string;
  readonly body?: unknown;
}

export interface Reply {
  readonly status: number;
  readonly body: any;
}

/** One `switchboard serve` process. */
export class ClusterNode {
  readonly logs: string[] = [];
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;
  private urlValue: string | undefined;

  constructor(
    readonly index: number,
    readonly child: ChildProcess,
    readonly dataDir: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    live.add(child);
    void this.exited.then((code) => {
      live.delete(child);
      // A crash fails some later assertion far from its cause: say so where it happens.
      if (!this.stopping && this.urlValue !== undefined) console.error(`\n!!! cluster node ${this.index} (pid ${this.pid}) exited unexpectedly (${code}):\n${this.tail()}\n`);
    });
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.logs.push(line);
        if (this.logs.length > LOG_LINES) this.logs.shift();
        if (line.includes('switchboard is serving')) this.announced?.((JSON.parse(line) as { url: string }).url);
      });
    }
  }

  /** Set while `serving()` waits for the "serving" line. */
  private announced: ((url: string) => void) | undefined;
  /** Set once the test asked this process to end. */
  private stopping = false;

  get url(): string {
    if (this.urlValue === undefined) throw new Error(`node ${this.index} is not serving`);
    return this.urlValue;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits for the "switchboard is serving" line and remembers the URL in it. */
  async serving(): Promise<this> {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node ${this.index} did not start within ${START_TIMEOUT_MS} ms:\n${this.tail()}`)), START_TIMEOUT_MS);
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`node ${this.index} exited (${code}) before serving:\n${this.tail()}`));
      });
      this.announced = (found) => {
        clearTimeout(timer);
        resolve(found);
      };
    });
    this.announced = undefined;
    this.urlValue = url;
    return this;
  }

  /** Sends a signal to this process (by its pid) and resolves when it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | string> {
    this.stopping = true;
    if (this.running) process.kill(this.pid, signal);
    return this.exited;
  }

  /** SIGTERM, then SIGKILL if it has not drained in time. */
  async stop(): Promise<number | string> {
    this.stopping = true;
    if (!this.running) return this.exited;
    process.kill(this.pid, 'SIGTERM');
    const timer = setTimeout(() => this.running && process.kill(this.pid, 'SIGKILL'), STOP_TIMEOUT_MS);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** The last log lines, for failure messages. */
  tail(lines = 40): string {
    return this.logs.slice(-lines).join('\n');
  }
}

export interface ClusterOptions {
  /** Nodes started at once. @default 2 */
  readonly nodes?: number;
  /** Extra environment for every node (POLICY_FILE, SEND_RATE_POINTS…). */
  readonly env?: Readonly<Record<string, string>>;
  /** Redis for this cluster instead of `TEST_REDIS_URL` (a private server). */
  readonly redisUrl?: string;
}

/**
 * Several real server processes over one fresh PostgreSQL database and one Redis namespace, with
 * a shared JWT secret and API key. The database is dropped and the namespace's keys deleted on
 * `close()`; every process the cluster started is stopped by its pid.
 */
export class Cluster {
  readonly nodes: ClusterNode[] = [];
  private readonly clients: { close(): void }[] = [];
  private userCounter = 0;
  private nextNode = 0;

  private constructor(
    private readonly services: ClusterServices,
    /** The per-cluster database, by name and URL. */
    readonly databaseName: string,
    readonly databaseUrl: string,
    readonly redisUrl: string,
    /** Every Redis key and channel of this cluster starts with it. */
    readonly keyPrefix: string,
    private readonly env: Readonly<Record<string, string>>,
  ) {}

  static async start(services: ClusterServices, options: ClusterOptions = {}): Promise<Cluster> {
    const database = await createScratchPostgres(services.databaseUrl, 'sb_cluster');
    const keyPrefix = `sbcluster:${process.pid}:${randomBytes(4).toString('hex')}:`;
    const cluster = new Cluster(services, database.name, database.url, options.redisUrl ?? services.redisUrl, keyPrefix, options.env ?? {});
    try {
      // Started together, so they also race to migrate the empty database.
      await Promise.all(Array.from({ length: options.nodes ?? 2 }, () => cluster.startNode()));
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  /** The URL of a database connection as `DATABASE_URL` with another host and port (a relay). */
  databaseUrlVia(host: string, port: number): string {
    const url = new URL(this.databaseUrl);
    url.hostname = host;
    url.port = String(port);
    return url.toString();
  }

  /** Starts one more node (a new index), with extra environment of its own. */
  async startNode(env: Readonly<Record<string, string>> = {}): Promise<ClusterNode> {
    const index = this.nodes.length;
    const dataDir = mkdtempSync(join(tmpdir(), `switchboard-cluster-${index}-`));
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: this.databaseUrl,
        REDIS_URL: this.redisUrl,
        REDIS_KEY_PREFIX: this.keyPrefix,
        JWT_SECRET: CLUSTER_JWT_SECRET,
        API_KEYS: CLUSTER_API_KEY,
        LOG_LEVEL: 'info',
        ...this.env,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const node = new ClusterNode(index, child, dataDir);
    this.nodes.push(node);
    return node.serving();
  }

  node(index: number): ClusterNode {
    const node = this.nodes[index];
    if (!node) throw new Error(`no node ${index}`);
    return node;
  }

  /** JSON in and out against one node. */
  async request(node: number | ClusterNode, method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const target = typeof node === 'number' ? this.node(node) : node;
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.apiKey) headers['x-api-key'] = options.apiKey;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${target.url}${path}`, { method, headers, ...(options.body !== undefined && { body: JSON.stringify(options.body) }) });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, body };
  }

  /** The next running node, round robin: "any node" for setup calls. */
  anyNode(): ClusterNode {
    const running = this.nodes.filter((n) => n.running);
    if (running.length === 0) throw new Error('no node is running');
    return running[this.nextNode++ % running.length]!;
  }

  /**
   * Creates a user through the server-to-server API of some node, and mints its token with the
   * shared secret (claims `sub`, `role`, `roles`), as a host app does.
   */
  async user(roles: readonly string[], options: { id?: string; node?: number; email?: string; password?: string } = {}): Promise<ClusterUser> {
    const id = options.id ?? `u${++this.userCounter}-${randomBytes(3).toString('hex')}`;
    const body = { roles, display_name: `User ${id}`, ...(options.email && { email: options.email }), ...(options.password && { password: options.password }) };
    const node = options.node === undefined ? this.anyNode() : this.node(options.node);
    const created = await this.request(node, 'PUT', `/v1/users/${id}`, { apiKey: CLUSTER_API_KEY, body });
    if (created.status !== 201) throw new Error(`could not create user ${id}: ${created.status} ${JSON.stringify(created.body)}`);
    return { id, roles, token: await mintToken(id, roles) };
  }

  /** Creates users in parallel. */
  users(count: number, roles: readonly string[]): Promise<ClusterUser[]> {
    return Promise.all(Array.from({ length: count }, () => this.user(roles)));
  }

  /** A conversation of a host object with these participants, created over the API of some node. */
  async conversation(participants: readonly ClusterUser[], node?: number): Promise<string> {
    const contextId = `ctx-${randomBytes(6).toString('hex')}`;
    const target = node === undefined ? this.anyNode() : this.node(node);
    const res = await this.request(target, 'PUT', `/v1/conversations/by-context/trip/${contextId}`, {
      apiKey: CLUSTER_API_KEY,
      body: { title: `Trip ${contextId}`, participants: participants.map((p) => ({ user_id: p.id })) },
    });
    if (res.status !== 201) throw new Error(`could not create a conversation: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.conversation.id as string;
  }

  /** Every committed message of a conversation in seq order, read over REST from one node. */
  async history(conversationId: string, viewer: ClusterUser, node?: number): Promise<any[]> {
    const target = node === undefined ? this.anyNode() : this.node(node);
    const all: any[] = [];
    for (;;) {
      const after = all.at(-1)?.seq ?? 0;
      const res = await this.request(target, 'GET', `/v1/conversations/${conversationId}/messages?after_seq=${after}&limit=100`, { token: viewer.token });
      if (res.status !== 200) throw new Error(`history failed: ${res.status} ${JSON.stringify(res.body)}`);
      all.push(...res.body.messages);
      if (!res.body.has_more) return all;
    }
  }

  /** A native WebSocket client on a node, authenticated; closed by `closeClients`. */
  async ws(node: number, who: ClusterUser): Promise<TestWsClient> {
    const client = await TestWsClient.authenticated(this.node(node).url, who.token);
    this.clients.push({ close: () => client.ws.terminate() });
    return client;
  }

  /** A Socket.IO client (websocket transport, no sticky sessions needed) on a node. */
  async sio(node: number, who: ClusterUser): Promise<TestSioClient> {
    const client = await TestSioClient.connect(this.node(node).url, who.token);
    this.clients.push(client);
    return client;
  }

  /** Remembers a client opened elsewhere, so `closeClients` closes it too. */
  track<T extends { close(): void }>(client: T): T {
    this.clients.push(client);
    return client;
  }

  closeClients(): void {
    for (const client of this.clients.splice(0)) client.close();
  }

  /** Stops every node, drops the database and deletes the cluster's Redis keys. */
  async close(): Promise<void> {
    this.closeClients();
    await Promise.all(this.nodes.map((node) => node.stop()));
    for (const node of this.nodes) rmSync(node.dataDir, { recursive: true, force: true });
    await dropScratchPostgres(this.services.databaseUrl, this.databaseName);
    const redis = await openAdmin(this.redisUrl).catch(() => undefined);
    if (redis) {
      await deleteKeys(redis, this.keyPrefix).catch(() => {});
      redis.disconnect();
    }
  }
}

/** A host-app token: HS256 with the shared secret, claims `sub`, `role`, `roles`. */
export function mintToken(userId: string, roles: readonly string[]): Promise<string> {
  return new SignJWT({ role: roles[0] ?? null, roles: [...roles] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(CLUSTER_JWT_SECRET));
}

/** Polls until `check` resolves truthy, or fails with the last error after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, what: string, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
