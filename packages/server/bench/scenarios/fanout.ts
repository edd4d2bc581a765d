import type { BenchContext } from '../bench-context.js';
import type { LoadScenarioResult } from '../results-model.js';
import type { SystemUnderTest } from '../system-under-test.js';
import { runSteppedLoad } from './stepped-load.js';

/** Scenario 1: group fan-out, rooms of 10 and of 50, every member sending, stepped up. */
export function runFanout(ctx: BenchContext, system: SystemUnderTest, roomSize: 10 | 50): Promise<LoadScenarioResult> {
  return runSteppedLoad(ctx, system, {
    scenario: roomSize === 10 ? 'fanout-10' : 'fanout-50',
    plan: roomSize === 10 ? ctx.plan.fanout10 : ctx.plan.fanout50,
    durable: false,
  });
}
