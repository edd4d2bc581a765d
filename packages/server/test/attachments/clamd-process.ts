import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClamdClient } from '../../src/attachments/scanning/clamd-client.js';
import { EICAR, hashSignature } from './eicar.js';
import { requiredBinary } from './required-binary.js';

export const CLAMD_BINARY = '/usr/sbin/clamd';

/** `/usr/sbin/clamd` when installed; otherwise the caller skips (or fails under REQUIRE_SERVICES=1). */
export const clamdBinary = requiredBinary(CLAMD_BINARY, 'clamd', 'apt-get install clamav-daemon');

/** Signature name clamd reports for EICAR from our `.hdb` (it adds `.UNOFFICIAL` to local signatures). */
export const EICAR_SIGNATURE = 'Eicar-Test-Signature';

export interface ClamdOptions {
  /** clamd's StreamMaxLength, e.g. `1M`. @default '25M' */
  readonly streamMaxLength?: string;
  /** More `.hdb` lines besides EICAR's (see `hashSignature`). */
  readonly signatures?: readonly string[];
}

/** A clamd of the test's own, on a loopback port, with signatures the test wrote. */
export interface TestClamd {
  /** `tcp://127.0.0.1:<port>`, for `CLAMD_URL`. */
  readonly url: string;
  /** The running process's pid; undefined while stopped. */
  readonly pid: number | undefined;
  /** SIGKILLs this clamd (by its pid) and waits for it to exit: clamd crashed. */
  kill(): Promise<void>;
  /** Starts it again on the same port and waits until it answers PING. */
  restart(): Promise<void>;
  /** Stops it and deletes its directory. */
  stop(): Promise<void>;
}

/** How long clamd may take to load its (one-line) database and answer PING. */
const START_DEADLINE_MS = 30_000;

/**
 * Starts `/usr/sbin/clamd --foreground` with a config in a temporary directory: a free loopback
 * TCP port, a DatabaseDirectory holding only the `.hdb` written here (EICAR by MD5 and size, plus
 * `signatures`), no freshclam and no network. Resolves once clamd answers `zPING` with PONG.
 */
export async function startClamd(options: ClamdOptions = {}): Promise<TestClamd> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-clamd-'));
  const databaseDir = join(dir, 'db');
  mkdirSync(databaseDir);
  writeFileSync(join(databaseDir, 'test.hdb'), [hashSignature(EICAR, EICAR_SIGNATURE), ...(options.signatures ?? [])].join('\n') + '\n');
  const port = await freePort();
  const configFile = join(dir, 'clamd.conf');
  writeFileSync(
    configFile,
    [
      'Foreground yes',
      `TCPSocket ${port}`,
      'TCPAddr 127.0.0.1',
      `DatabaseDirectory ${databaseDir}`,
      `TemporaryDirectory ${dir}`,
      `StreamMaxLength ${options.streamMaxLength ?? '25M'}`,
      'LogVerbose no',
      // Checking the database for updates would only reload our own file.
      'SelfCheck 0',
    ].join('\n') + '\n',
  );
  const url = `tcp://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';

  const launch = async () => {
    output = '';
    const started = spawn(CLAMD_BINARY, ['--foreground', `--config-file=${configFile}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    // Should the test process end without stopping it, its clamd goes with it.
    const orphaned = () => started.kill('SIGKILL');
    process.once('exit', orphaned);
    started.once('exit', () => process.off('exit', orphaned));
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
    started.stdout?.on('data', keep);
    started.stderr?.on('data', keep);
    await waitForPong(url, started, () => output);
  };
  const exit = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null || running.pid === undefined) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    process.kill(running.pid, signal);
    await exited;
  };

  await launch();
  return {
    url,
    get pid() {
      return child?.pid;
    },
    kill: () => exit('SIGKILL'),
    restart: launch,
    async stop() {
      await exit('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPong(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const client = new ClamdClient({ url, timeoutMs: 2000 });
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`clamd exited before answering PING:\n${output()}`);
    try {
      await client.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
        throw new Error(`clamd did not answer PING within ${START_DEADLINE_MS} ms (${String(error)}):\n${output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}
