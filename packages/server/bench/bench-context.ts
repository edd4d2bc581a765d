import type { BenchOptions } from './cli-options.js';
import type { BenchPlan } from './bench-plan.js';
import type { WorkerPool } from './load/worker-pool.js';

/** What every scenario gets. */
export interface BenchContext {
  readonly options: BenchOptions;
  readonly plan: BenchPlan;
  readonly pool: WorkerPool;
  readonly runId: string;
  log(line: string): void;
}
