import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { isRunning, registerChild, stopChild } from '../child-registry.js';
import { sleep } from '../clock.js';
import { freePort } from '../net-util.js';
import { PACKAGE_DIR } from '../package-paths.js';

/** Runs the compiled server when the build is current, else its sources through tsx. */
const BIN = join(PACKAGE_DIR, 'bin', 'switchboard.js');

export interface NodeOptions {
  readonly dataDir: string;
  readonly jwtSecret: string;
  readonly apiKey: string;
  readonly databaseUrl?: string;
  readonly redisUrl?: string;
  /** Namespace of the node's Redis keys (`REDIS_KEY_PREFIX`). */
  readonly redisKeyPrefix?: string;
  /** Write a V8 CPU profile into this directory when the node exits. */
  readonly cpuProfileDir?: string;
  readonly maxConnectionsPerUser?: number;
}

/** One `switchboard serve` child process. */
export interface SwitchboardNode {
  readonly pid: number;
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly child: ChildProcess;
  /** The last lines the process wrote (for failure reports). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `switchboard serve` on a free port of 127.0.0.1 with the bench's settings (no send rate
 * limit to speak of, many connections per user, warn-level logs) and waits for /health.
 */
export async function startSwitchboardNode(options: NodeOptions): Promise<SwitchboardNode> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: options.dataDir,
    LOG_LEVEL: 'warn',
    API_KEYS: options.apiKey,
    JWT_SECRET: options.jwtSecret,
    SEND_RATE_POINTS: '1000000',
    MAX_CONNECTIONS_PER_USER: String(options.maxConnectionsPerUser ?? 10_000),
    // Every load worker connects from loopback: one address holding thousands of connections.
    MAX_CONNECTIONS_PER_ADDRESS: '0',
    SEED_DEMO: 'false',
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.REDIS_KEY_PREFIX;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  if (options.redisUrl) env.REDIS_URL = options.redisUrl;
  if (options.redisKeyPrefix) env.REDIS_KEY_PREFIX = options.redisKeyPrefix;
  const execArgv = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = registerChild(spawn(process.execPath, [...execArgv, BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(line);
    if (lines.length > 60) lines.splice(0, lines.length - 60);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const httpUrl = `http://127.0.0.1:${port}`;
  const node: SwitchboardNode = {
    pid: child.pid ?? -1,
    httpUrl,
    wsUrl: `ws://127.0.0.1:${port}`,
    child,
    output: () => lines.join('\n'),
    stop: () => stopChild(child, 10_000),
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (!isRunning(child)) throw new Error(`switchboard exited during start (code ${child.exitCode}):\n${node.output()}`);
    try {
      const response = await fetch(`${httpUrl}/health`);
      if (response.ok) return node;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  await node.stop();
  throw new Error(`switchboard did not become healthy in 60 s:\n${node.output()}`);
}
