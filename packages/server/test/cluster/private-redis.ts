import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../support/free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * True when a `redis-server` binary is on the PATH. Without one the tests needing it are skipped
 * loudly, or fail under `REQUIRE_SERVICES=1`, like a missing service.
 */
export function redisServerAvailable(): boolean {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0) return true;
  const message = 'no redis-server binary on the PATH (needed to restart a private Redis)';
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`${message}, and REQUIRE_SERVICES=1 demands it`);
  console.warn(`\n\n  !!! SKIPPING Redis restart tests: ${message} !!!\n`);
  return false;
}

/**
 * A redis-server of the test's own, on a port it picked, with no persistence: stopping it is a
 * Redis crash as the nodes see it (every key gone), without touching the machine's Redis that
 * other tests use. Started and stopped by its pid only.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), mkdtempSync(join(tmpdir(), 'switchboard-redis-')));
    await redis.launch();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** SIGKILL, as a crash: no shutdown, no save. */
  async crash(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid!, 'SIGKILL');
    await exited;
  }

  /** Starts again on the same port, empty. */
  async restart(): Promise<void> {
    await this.crash();
    await this.launch();
  }

  async close(): Promise<void> {
    await this.crash();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    process.once('exit', () => child.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('redis-server did not start within 10 s')), 10_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}`));
      });
      child.once('error', reject);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!line.includes('Ready to accept connections')) return;
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
