import type { Percentiles } from './histogram.js';
import type { MainThreadTime } from './proc-sampler.js';

/** One step of a stepped load (fan-out or one-to-one) on one system. */
export interface StepResult {
  readonly label: string;
  readonly durationMs: number;
  /** Planned messages per second (all senders together). */
  readonly offeredMsgsPerSec: number;
  /** Planned deliveries per second: offered messages × (room size − 1). */
  readonly offeredDeliveriesPerSec: number;
  /** Messages actually sent per second. */
  readonly sentMsgsPerSec: number;
  /** Distinct messages delivered per second (deliveries / (room size − 1)). */
  readonly deliveredMsgsPerSec: number;
  readonly deliveriesPerSec: number;
  /** Acknowledged messages per second (after commit for Switchboard). */
  readonly ackedMsgsPerSec: number;
  readonly sent: number;
  readonly held: number;
  readonly rejected: number;
  readonly unacked: number;
  readonly expected: number;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly stale: number;
  readonly echoes: number;
  /** Send → deliver, ms. */
  readonly latency: Percentiles;
  /** Send → acknowledgement, ms (count 0 when the system does not acknowledge). */
  readonly ack: Percentiles;
  /** CPU of the system's processes per delivery, µs. */
  readonly cpuUsPerDelivery: number;
  /** CPU of the system's processes, % of one core. */
  readonly cpuPercent: number;
  /** The system's (first) main thread: on CPU / waiting for a CPU / neither (idle or blocked in a syscall). */
  readonly mainThread: MainThreadTime | undefined;
  readonly rssPeakBytes: number;
  readonly rssEndBytes: number;
  /** (RSS at the end − RSS before the clients connected) / connected clients. */
  readonly bytesPerConnection: number;
  /** CPU of the load-generator workers, % of one core. */
  readonly loadgenCpuPercent: number;
  /** CPU other processes on the machine used during the step (not the system, not the load generator), % of one core. */
  readonly otherCpuPercent: number;
  readonly maxSchedulerLagMs: number;
  readonly drained: boolean;
  readonly closed: number;
  readonly notes: readonly string[];
  /** Why this step counts as past the break point; null when it held. */
  readonly broken: string | null;
  /** [ms, RSS bytes, CPU %] of the system during the step. */
  readonly timeline: ReadonlyArray<readonly [number, number, number]>;
}

export type LoadScenarioId = 'fanout-10' | 'fanout-50' | 'one-to-one' | 'two-node' | 'search-write';

export interface LoadScenarioResult {
  readonly kind: 'load';
  readonly scenario: LoadScenarioId;
  readonly system: string;
  /** How acknowledged sends are made durable (one-to-one). */
  readonly durability: string;
  readonly roomSize: number;
  readonly roomCount: number;
  readonly clients: number;
  readonly connected: number;
  readonly connectErrors: readonly string[];
  readonly steps: readonly StepResult[];
  readonly notes: readonly string[];
}

export interface IdleResult {
  readonly kind: 'idle';
  readonly system: string;
  readonly requested: number;
  readonly connected: number;
  readonly failed: number;
  readonly errors: readonly string[];
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  readonly bytesPerConnection: number;
  /** First connections (Switchboard provisions each user from its token here). */
  readonly connectsPerSec: number;
  readonly cpuUsPerConnect: number;
  readonly notes: readonly string[];
}

export interface StormResult {
  readonly kind: 'storm';
  readonly system: string;
  readonly attempted: number;
  readonly connected: number;
  readonly failed: number;
  readonly errors: readonly string[];
  readonly elapsedMs: number;
  readonly connectsPerSec: number;
  readonly connectLatency: Percentiles;
  readonly cpuUsPerConnect: number;
  readonly concurrency: number;
}

export interface SyncResult {
  readonly kind: 'sync';
  readonly system: string;
  readonly missed: number;
  readonly synced: number;
  readonly pages: number;
  readonly connectMs: number;
  readonly syncMs: number;
  readonly totalMs: number;
  readonly msgsPerSec: number;
  readonly gaps: number;
  readonly duplicates: number;
  readonly outOfOrder: number;
  readonly cpuUsPerMessage: number;
  /** How fast the M messages were written beforehand (pipelined sends, acknowledged). */
  readonly fillMsgsPerSec: number;
}

/** Search latency of one kind of searcher over the corpus. */
export interface SearchQueryClass {
  readonly label: string;
  /** Service call to answer (store query, snippets, reactions), ms. */
  readonly latency: Percentiles;
  readonly meanResults: number;
  /** Share of the searches that found nothing. */
  readonly emptyShare: number;
}

/** Durable appends through the store, with or without the search index. */
export interface AppendCost {
  readonly indexed: boolean;
  readonly messages: number;
  readonly msgsPerSec: number;
  /** Append → committed, ms. */
  readonly latency: Percentiles;
}

export interface SearchBenchResult {
  readonly kind: 'search';
  readonly system: string;
  readonly messages: number;
  readonly conversations: number;
  readonly users: number;
  /** Writing the corpus, and building its index, ms. */
  readonly loadMs: number;
  readonly indexMs: number;
  readonly databaseBytes: number;
  readonly classes: readonly SearchQueryClass[];
  /** Alternating runs, indexed first. */
  readonly appends: readonly AppendCost[];
}

export interface SkippedResult {
  readonly kind: 'skipped';
  readonly scenario: string;
  readonly system: string;
  readonly reason: string;
}

export type ScenarioResult = LoadScenarioResult | IdleResult | StormResult | SyncResult | SearchBenchResult | SkippedResult;

export interface SystemStatus {
  readonly name: string;
  readonly status: 'ok' | 'skipped';
  readonly reason?: string;
  readonly pids: readonly number[];
  readonly detail: string;
}

export interface TargetResult {
  readonly target: string;
  readonly status: 'pass' | 'fail' | 'n/a';
  readonly measured: string;
}

export interface RatioRow {
  readonly metric: string;
  readonly peer: string;
  readonly switchboard: number;
  readonly peerValue: number;
  /** switchboard / peer. */
  readonly ratio: number;
  /** Whether a higher value is better for this metric. */
  readonly higherIsBetter: boolean;
}

export interface BenchReport {
  readonly version: 1;
  readonly mode: 'quick' | 'full';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationS: number;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly memGb: number; readonly node: string; readonly kernel: string; readonly openFiles: number | null };
  readonly options: Record<string, unknown>;
  readonly systems: readonly SystemStatus[];
  readonly results: readonly ScenarioResult[];
  readonly targets: readonly TargetResult[];
  readonly ratios: readonly RatioRow[];
  readonly notes: readonly string[];
  readonly profile?: ProfileSummary;
}

/** Where the server under test spent its (non-idle) time, from V8 CPU profiles. */
export interface ProfileSummary {
  readonly totalMs: number;
  readonly self: ReadonlyArray<{ readonly fn: string; readonly percent: number }>;
  readonly areas: ReadonlyArray<{ readonly fn: string; readonly percent: number }>;
  /** Inclusive time of the server's own functions (src/). */
  readonly inclusive: ReadonlyArray<{ readonly fn: string; readonly percent: number }>;
}
