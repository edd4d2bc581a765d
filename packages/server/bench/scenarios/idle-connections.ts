import type { BenchContext } from '../bench-context.js';
import { sleep } from '../clock.js';
import { rssOf } from '../proc-sampler.js';
import type { IdleResult } from '../results-model.js';
import { settle } from '../settle.js';
import type { SystemUnderTest } from '../system-under-test.js';
import { connectionBudget, looseClientInits, timedConnect } from './loose-clients.js';

/** The ids of idle clients; the storm reconnects the same ones. */
export const IDLE_SCENARIO = 'idle';

/**
 * Scenario 3: N authenticated connections doing nothing. Memory per connection is the RSS of
 * the system's processes after they connected (and settled) minus before, over N.
 */
export async function runIdle(ctx: BenchContext, system: SystemUnderTest): Promise<IdleResult> {
  const budget = connectionBudget(ctx, system, ctx.plan.idleConnections);
  const ids = system.clientIds(IDLE_SCENARIO, budget.count);
  const notes: string[] = budget.note ? [budget.note] : [];
  ctx.log(`  idle ${system.name}: ${ids.length} connections`);
  const inits = looseClientInits(ctx, system, ids, ctx.plan.connectConcurrency);
  await ctx.pool.each((i) => ({ cmd: 'init', init: inits[i]! }));
  try {
    await settle(system.pids, { timeoutMs: 5000 });
    const rssBefore = rssOf(system.pids);
    const { connected, elapsedMs, cpuUs, errors } = await timedConnect(ctx, system);
    await settle(system.pids, { timeoutMs: 5000 });
    await sleep(ctx.options.quick ? 300 : 1500);
    const rssAfter = rssOf(system.pids);
    if (system.kind === 'switchboard') notes.push('first connection of each user: the token provisions the user');
    if (connected > 0 && (rssAfter - rssBefore) / connected < 256 && system.kind !== 'switchboard') {
      notes.push('RSS hardly moved: a long-running broker reuses memory kept from earlier connections (earlier runs), so this delta understates its cost');
    }
    return {
      kind: 'idle',
      system: system.name,
      requested: ctx.plan.idleConnections,
      connected,
      failed: ids.length - connected,
      errors: [...errors],
      rssBeforeBytes: rssBefore,
      rssAfterBytes: rssAfter,
      bytesPerConnection: connected > 0 ? Math.round((rssAfter - rssBefore) / connected) : 0,
      connectsPerSec: Math.round(connected / Math.max(0.001, elapsedMs / 1000)),
      cpuUsPerConnect: connected > 0 ? Math.round(cpuUs / connected) : 0,
      notes,
    };
  } finally {
    await ctx.pool.all({ cmd: 'disconnect' }).catch(() => {});
  }
}
