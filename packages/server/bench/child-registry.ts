import type { ChildProcess } from 'node:child_process';

/**
 * Every process the bench starts is registered here and ended by its own pid: at the end of a
 * scenario, on exit, and on SIGINT/SIGTERM. Nothing else is ever signalled.
 */
const children = new Set<ChildProcess>();
let installed = false;
let interrupted = false;

/** True once SIGINT/SIGTERM arrived: scenarios still to come are skipped. */
export function isInterrupted(): boolean {
  return interrupted;
}
const cleanups: Array<() => Promise<void>> = [];

export function registerChild(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  installHandlers();
  return child;
}

/** Work to do (drop a database, delete a stream) when the bench is interrupted. */
export function onInterrupt(cleanup: () => Promise<void>): () => void {
  cleanups.push(cleanup);
  installHandlers();
  return () => {
    const i = cleanups.indexOf(cleanup);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, then SIGKILL after `graceMs` if it has not exited. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (!isRunning(child) || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    if (isRunning(child) && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c, 3000)));
}

function killAllNow(): void {
  for (const child of children) {
    if (isRunning(child) && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

function installHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllNow);
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}: stopping the processes it started…\n`);
    const force = setTimeout(() => {
      killAllNow();
      process.exit(130);
    }, 8000);
    force.unref();
    void (async () => {
      await stopAllChildren();
      for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => {});
      process.exit(130);
    })();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
