/** Sizes, steps and thresholds of a run; `--quick` shrinks everything to fit in a minute. */

export interface SteppedPlan {
  readonly roomCount: number;
  readonly roomSize: number;
  /** Offered load per step: deliveries per second (fan-out) or messages per second (one-to-one). */
  readonly steps: readonly number[];
  readonly unit: 'deliveries' | 'messages';
  /** A step run even past the break point (the fixed reference load). */
  readonly reference?: number;
  /** Every step runs, broken or not (`--rates`); otherwise the climb stops after broken steps. */
  readonly fixed?: boolean;
  readonly stepMs: number;
  /** Draining ends after this long without a delivery or acknowledgement… */
  readonly drainQuietMs: number;
  /** …or after this long in all. */
  readonly drainMaxMs: number;
  /** Past this p99 (ms) the step counts as broken. */
  readonly p99BreakMs: number;
  /** Which latency the break threshold applies to. */
  readonly breakOn: 'delivery' | 'ack';
}

export interface BenchPlan {
  readonly fanout10: SteppedPlan;
  readonly fanout50: SteppedPlan;
  readonly oneToOne: SteppedPlan;
  readonly twoNode: SteppedPlan;
  readonly idleConnections: number;
  readonly stormConnections: number;
  /** Connection attempts in flight at once during the storm, over all workers. */
  readonly stormConcurrency: number;
  readonly syncMissed: number;
  readonly syncPageLimit: number;
  readonly connectConcurrency: number;
  /** The search corpus, and how many searches of each kind are timed. */
  readonly search: { readonly messages: number; readonly conversations: number; readonly users: number; readonly dispatcherConversations: number; readonly queriesPerClass: number; readonly appends: number };
}

export const FANOUT_P99_MS = 50;
export const ONE_TO_ONE_P99_MS = 25;
export const REFERENCE_DELIVERIES = 20_000;

/**
 * The plan of a run: `--quick`'s or the full one's, with `--rates` replacing the steps of the
 * stepped scenarios (sizes, step length and thresholds stay).
 */
export function benchPlan(quick: boolean, rates?: readonly number[]): BenchPlan {
  const plan = basePlan(quick);
  if (!rates) return plan;
  const atRates = (p: SteppedPlan): SteppedPlan => ({ ...p, steps: [...rates], reference: undefined, fixed: true });
  return { ...plan, fanout10: atRates(plan.fanout10), fanout50: atRates(plan.fanout50), oneToOne: atRates(plan.oneToOne), twoNode: atRates(plan.twoNode) };
}

function basePlan(quick: boolean): BenchPlan {
  if (quick) {
    return {
      fanout10: { roomCount: 10, roomSize: 10, steps: [REFERENCE_DELIVERIES], unit: 'deliveries', reference: REFERENCE_DELIVERIES, stepMs: 1000, drainQuietMs: 500, drainMaxMs: 1500, p99BreakMs: FANOUT_P99_MS, breakOn: 'delivery' },
      fanout50: { roomCount: 3, roomSize: 50, steps: [10_000, 50_000], unit: 'deliveries', stepMs: 800, drainQuietMs: 500, drainMaxMs: 1500, p99BreakMs: FANOUT_P99_MS, breakOn: 'delivery' },
      oneToOne: { roomCount: 60, roomSize: 2, steps: [500, 2_000], unit: 'messages', stepMs: 800, drainQuietMs: 500, drainMaxMs: 1500, p99BreakMs: ONE_TO_ONE_P99_MS, breakOn: 'ack' },
      twoNode: { roomCount: 60, roomSize: 2, steps: [500, 2_000], unit: 'messages', stepMs: 800, drainQuietMs: 500, drainMaxMs: 1500, p99BreakMs: ONE_TO_ONE_P99_MS, breakOn: 'ack' },
      idleConnections: 500,
      stormConnections: 500,
      stormConcurrency: 200,
      syncMissed: 500,
      syncPageLimit: 500,
      connectConcurrency: 100,
      search: { messages: 20_000, conversations: 200, users: 100, dispatcherConversations: 30, queriesPerClass: 50, appends: 5_000 },
    };
  }
  return {
    fanout10: { roomCount: 30, roomSize: 10, steps: [1_000, 2_500, 5_000, 10_000, REFERENCE_DELIVERIES, 40_000, 80_000, 160_000], unit: 'deliveries', reference: REFERENCE_DELIVERIES, stepMs: 2500, drainQuietMs: 1000, drainMaxMs: 6000, p99BreakMs: FANOUT_P99_MS, breakOn: 'delivery' },
    fanout50: { roomCount: 12, roomSize: 50, steps: [5_000, 10_000, 25_000, 50_000, 100_000, 150_000, 200_000], unit: 'deliveries', stepMs: 2500, drainQuietMs: 1000, drainMaxMs: 6000, p99BreakMs: FANOUT_P99_MS, breakOn: 'delivery' },
    oneToOne: { roomCount: 500, roomSize: 2, steps: [250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000], unit: 'messages', stepMs: 2500, drainQuietMs: 1000, drainMaxMs: 6000, p99BreakMs: ONE_TO_ONE_P99_MS, breakOn: 'ack' },
    twoNode: { roomCount: 500, roomSize: 2, steps: [250, 500, 1_000, 2_000, 5_000, 10_000, 20_000], unit: 'messages', stepMs: 2500, drainQuietMs: 1000, drainMaxMs: 6000, p99BreakMs: ONE_TO_ONE_P99_MS, breakOn: 'ack' },
    idleConnections: 10_000,
    stormConnections: 10_000,
    stormConcurrency: 500,
    syncMissed: 10_000,
    syncPageLimit: 500,
    connectConcurrency: 100,
    search: { messages: 1_000_000, conversations: 10_000, users: 5_000, dispatcherConversations: 300, queriesPerClass: 300, appends: 50_000 },
  };
}
