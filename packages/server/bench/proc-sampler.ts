import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** One reading of a process from /proc: CPU time used so far and resident memory now. */
export interface ProcReading {
  readonly pid: number;
  readonly cpuUs: number;
  readonly rssBytes: number;
  readonly atMs: number;
}

let clockTicks: number | undefined;

/** Kernel clock ticks per second (`getconf CLK_TCK`, 100 on Linux nearly everywhere). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Reads /proc/<pid>/stat (utime + stime) and /proc/<pid>/status (VmRSS); undefined when gone. */
export function readProc(pid: number): ProcReading | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return { pid, cpuUs: (ticks * 1_000_000) / ticksPerSecond(), rssBytes: rss ? Number(rss[1]) * 1024 : 0, atMs: Date.now() };
  } catch {
    return undefined;
  }
}

/** The main thread's scheduler counters (/proc/<pid>/schedstat): ns on CPU, ns waiting for a CPU. */
function readSchedstat(pid: number): { onCpuNs: number; waitNs: number } | undefined {
  try {
    const [onCpu, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return onCpu === undefined || wait === undefined ? undefined : { onCpuNs: onCpu, waitNs: wait };
  } catch {
    return undefined;
  }
}

/**
 * How the main thread (the event loop, for a Node server) spent a window, in % of wall time:
 * running, runnable but waiting for a CPU (other processes had it), and neither: idle in
 * epoll, or blocked in a synchronous system call such as fsync.
 */
export interface MainThreadTime {
  readonly onCpuPercent: number;
  readonly waitCpuPercent: number;
  readonly offCpuPercent: number;
}

/** What a sampling window saw for a group of processes. */
export interface ProcWindow {
  readonly pids: readonly number[];
  readonly wallMs: number;
  /** CPU time of all the processes together during the window. */
  readonly cpuUs: number;
  /** cpuUs / wallMs as a percentage of one core. */
  readonly cpuPercent: number;
  /** Largest summed RSS seen at any sample. */
  readonly rssPeakBytes: number;
  /** Summed RSS at the end of the window. */
  readonly rssEndBytes: number;
  /** [ms since start, summed RSS bytes, CPU % of one core since the previous sample]. */
  readonly timeline: ReadonlyArray<readonly [number, number, number]>;
  /** The first process's main thread. */
  readonly mainThread: MainThreadTime | undefined;
}

/**
 * Samples a group of processes (the system under test, or the load generator) from /proc during
 * a window: CPU used between start and stop, and RSS every `intervalMs`.
 */
export class ProcSampler {
  private start: ProcReading[] = [];
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private peak = 0;
  private timeline: Array<[number, number, number]> = [];
  private lastCpu = 0;
  private lastAt = 0;
  private schedStart: { onCpuNs: number; waitNs: number } | undefined;

  constructor(
    private readonly pids: readonly number[],
    private readonly intervalMs = 250,
  ) {}

  begin(): void {
    this.start = this.pids.map((pid) => readProc(pid)).filter((r): r is ProcReading => r !== undefined);
    this.schedStart = this.pids[0] === undefined ? undefined : readSchedstat(this.pids[0]);
    this.startedAt = Date.now();
    this.peak = sum(this.start.map((r) => r.rssBytes));
    this.lastCpu = sum(this.start.map((r) => r.cpuUs));
    this.lastAt = this.startedAt;
    this.timeline = [[0, this.peak, 0]];
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  private tick(): ProcReading[] {
    const readings = this.pids.map((pid) => readProc(pid)).filter((r): r is ProcReading => r !== undefined);
    const rss = sum(readings.map((r) => r.rssBytes));
    const cpu = sum(readings.map((r) => r.cpuUs));
    const now = Date.now();
    if (rss > this.peak) this.peak = rss;
    const dt = now - this.lastAt;
    this.timeline.push([now - this.startedAt, rss, dt > 0 ? ((cpu - this.lastCpu) / 1000 / dt) * 100 : 0]);
    this.lastCpu = cpu;
    this.lastAt = now;
    return readings;
  }

  end(): ProcWindow {
    if (this.timer) clearInterval(this.timer);
    const readings = this.tick();
    const wallMs = Date.now() - this.startedAt;
    const schedEnd = this.pids[0] === undefined ? undefined : readSchedstat(this.pids[0]);
    let mainThread: MainThreadTime | undefined;
    if (this.schedStart && schedEnd && wallMs > 0) {
      const pct = (ns: number) => Math.round((ns / 1e6 / wallMs) * 1000) / 10;
      const onCpuPercent = pct(schedEnd.onCpuNs - this.schedStart.onCpuNs);
      const waitCpuPercent = pct(schedEnd.waitNs - this.schedStart.waitNs);
      mainThread = { onCpuPercent, waitCpuPercent, offCpuPercent: Math.max(0, Math.round((100 - onCpuPercent - waitCpuPercent) * 10) / 10) };
    }
    let cpuUs = 0;
    for (const r of readings) {
      const before = this.start.find((s) => s.pid === r.pid);
      if (before) cpuUs += r.cpuUs - before.cpuUs;
    }
    return {
      pids: this.pids,
      wallMs,
      cpuUs,
      cpuPercent: wallMs > 0 ? (cpuUs / 1000 / wallMs) * 100 : 0,
      rssPeakBytes: this.peak,
      rssEndBytes: sum(readings.map((r) => r.rssBytes)),
      timeline: this.timeline,
      mainThread,
    };
  }
}

/** Summed RSS of processes now. */
export function rssOf(pids: readonly number[]): number {
  return sum(pids.map((pid) => readProc(pid)?.rssBytes ?? 0));
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

interface CpuTimes {
  readonly busy: number;
  readonly iowait: number;
  readonly at: number;
}

function readMachine(): CpuTimes | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const [, user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).map(Number);
    return { busy: user + nice + system + irq + softirq + steal, iowait, at: Date.now() };
  } catch {
    return undefined;
  }
}

/** Whole-machine CPU from /proc/stat, to tell how much of it other processes took during a window. */
export class MachineSampler {
  private start: CpuTimes | undefined;

  begin(): void {
    this.start = readMachine();
  }

  /** Busy and I/O-wait time of all CPUs, in % of one core. */
  end(): { busyPercent: number; iowaitPercent: number } {
    const end = readMachine();
    if (!this.start || !end || end.at <= this.start.at) return { busyPercent: 0, iowaitPercent: 0 };
    const seconds = (end.at - this.start.at) / 1000;
    const pct = (ticks: number) => ((ticks / ticksPerSecond()) / seconds) * 100;
    return { busyPercent: pct(end.busy - this.start.busy), iowaitPercent: pct(end.iowait - this.start.iowait) };
  }
}
