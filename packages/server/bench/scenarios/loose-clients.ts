import type { BenchContext } from '../bench-context.js';
import { nowMs } from '../clock.js';
import type { ClientPlan, ConnectResult, WorkerInit } from '../load/worker-protocol.js';
import { ProcSampler } from '../proc-sampler.js';
import { openFileLimit } from '../proc-find.js';
import { readdirSync } from 'node:fs';
import type { SystemUnderTest } from '../system-under-test.js';

/** Clients without rooms (idle connections, storms), dealt evenly to the workers. */
export function looseClientInits(ctx: BenchContext, system: SystemUnderTest, ids: readonly string[], concurrency: number): WorkerInit[] {
  const slices: ClientPlan[][] = Array.from({ length: ctx.pool.size }, () => []);
  ids.forEach((userId, i) => slices[i % slices.length]!.push({ userId, endpoint: 0 }));
  return slices.map((clients) => ({
    kind: system.kind,
    endpoints: system.endpoints,
    ...(system.jwtSecret !== undefined && { jwtSecret: system.jwtSecret }),
    clients,
    rooms: [],
    durable: false,
    connectConcurrency: Math.max(1, Math.ceil(concurrency / slices.length)),
    connectTimeoutMs: 30_000,
    maxInFlight: 1,
  }));
}

function openFiles(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/**
 * How many connections fit under the open-file limits of the system's processes and of the load
 * workers (each connection is one descriptor on each side), with a margin.
 */
export function connectionBudget(ctx: BenchContext, system: SystemUnderTest, requested: number): { count: number; note: string | undefined } {
  const margin = 200;
  let count = requested;
  const limits: string[] = [];
  for (const pid of system.pids) {
    const limit = openFileLimit(pid);
    if (limit === undefined || !Number.isFinite(limit)) continue;
    const room = limit - openFiles(pid) - margin;
    if (room < count) {
      count = Math.max(0, room);
      limits.push(`${system.name} pid ${pid} may open ${limit} files`);
    }
  }
  for (const pid of ctx.pool.pids) {
    const limit = openFileLimit(pid);
    if (limit === undefined || !Number.isFinite(limit)) continue;
    const room = (limit - openFiles(pid) - margin) * ctx.pool.size;
    if (room < count) {
      count = Math.max(0, room);
      limits.push(`load workers may open ${limit} files each`);
    }
  }
  return { count, note: count < requested ? `reached ${count} of ${requested}: ${limits.join('; ')} (ulimit -n)` : undefined };
}

/** What one timed connect of every worker's loose clients measured. */
export interface TimedConnect {
  readonly results: readonly ConnectResult[];
  readonly connected: number;
  /** From the common start to the last worker done. */
  readonly elapsedMs: number;
  /** CPU of the system's processes over the connect. */
  readonly cpuUs: number;
  readonly errors: readonly string[];
}

/** Every worker connects its clients from one common start, with the system's CPU sampled. */
export async function timedConnect(ctx: BenchContext, system: SystemUnderTest): Promise<TimedConnect> {
  const sampler = new ProcSampler(system.pids);
  const startAtMs = nowMs() + 50;
  sampler.begin();
  const results = await ctx.pool.all<ConnectResult>({ cmd: 'connect', startAtMs });
  const window = sampler.end();
  return {
    results,
    connected: results.reduce((n, r) => n + r.connected, 0),
    elapsedMs: Math.max(...results.map((r) => r.doneAtMs)) - startAtMs,
    cpuUs: window.cpuUs,
    errors: [...new Set(results.flatMap((r) => r.errors))],
  };
}
