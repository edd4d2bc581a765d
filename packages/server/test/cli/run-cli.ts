import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'switchboard.js');

/** Variables of the machine that would point a command somewhere other than the test's store. */
const INHERITED_ELSEWHERE = ['DATABASE_URL', 'REDIS_URL', 'REDIS_KEY_PREFIX', 'JWT_SECRET', 'DATA_DIR', 'LOG_LEVEL', 'API_KEYS'];

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node bin/switchboard.js …args` as a process, stdin closed and stdout/stderr not a terminal. */
export function runCli(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !INHERITED_ELSEWHERE.includes(name)));
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A temporary folder for a data directory and input files, and its removal. */
export function scratchDir(prefix: string): { readonly path: string; file(name: string, lines: readonly unknown[]): string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `switchboard-${prefix}-`));
  return {
    path,
    file(name, lines) {
      const file = join(path, name);
      writeFileSync(file, lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n');
      return file;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}
