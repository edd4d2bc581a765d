import type { BenchContext } from '../bench-context.js';
import type { LoadScenarioResult } from '../results-model.js';
import type { SystemUnderTest } from '../system-under-test.js';
import { runSteppedLoad } from './stepped-load.js';

/**
 * Scenario 2: one-to-one support chats. Many pairs, both sides sending, every send waiting for
 * the system's acknowledgement (for Switchboard: after the commit), stepped up.
 */
export function runOneToOne(ctx: BenchContext, system: SystemUnderTest): Promise<LoadScenarioResult> {
  return runSteppedLoad(ctx, system, { scenario: 'one-to-one', plan: ctx.plan.oneToOne, durable: true });
}
