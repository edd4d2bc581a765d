import type { BenchContext } from '../bench-context.js';
import { Histogram } from '../histogram.js';
import type { StormResult } from '../results-model.js';
import { settle } from '../settle.js';
import type { SystemUnderTest } from '../system-under-test.js';
import { IDLE_SCENARIO } from './idle-connections.js';
import { connectionBudget, looseClientInits, timedConnect } from './loose-clients.js';

/**
 * Scenario 4: a connection storm, as after a restart: the idle scenario's clients all reconnect
 * at once (many attempts in flight), and we count connects + authentications per second.
 */
export async function runStorm(ctx: BenchContext, system: SystemUnderTest): Promise<StormResult> {
  const { count } = connectionBudget(ctx, system, ctx.plan.stormConnections);
  const ids = system.clientIds(IDLE_SCENARIO, count);
  const concurrency = ctx.plan.stormConcurrency;
  ctx.log(`  storm ${system.name}: ${ids.length} connections, ${concurrency} in flight`);
  const inits = looseClientInits(ctx, system, ids, concurrency);
  await ctx.pool.each((i) => ({ cmd: 'init', init: inits[i]! }));
  try {
    await settle(system.pids, { timeoutMs: 5000 });
    const { results, connected, elapsedMs, cpuUs, errors } = await timedConnect(ctx, system);
    return {
      kind: 'storm',
      system: system.name,
      attempted: ids.length,
      connected,
      failed: ids.length - connected,
      errors: [...errors],
      elapsedMs: Math.round(elapsedMs),
      connectsPerSec: Math.round(connected / Math.max(0.001, elapsedMs / 1000)),
      connectLatency: Histogram.from(results.map((r) => r.connectLatency)).percentilesMs(),
      cpuUsPerConnect: connected > 0 ? Math.round(cpuUs / connected) : 0,
      concurrency,
    };
  } finally {
    await ctx.pool.all({ cmd: 'disconnect' }).catch(() => {});
  }
}
