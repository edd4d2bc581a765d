import type { IdleResult, LoadScenarioId, LoadScenarioResult, ScenarioResult, StepResult, StormResult, SyncResult } from '../results-model.js';

export function loadResults(results: readonly ScenarioResult[], scenario?: LoadScenarioId): LoadScenarioResult[] {
  return results.filter((r): r is LoadScenarioResult => r.kind === 'load' && (scenario === undefined || r.scenario === scenario));
}

export function loadResult(results: readonly ScenarioResult[], scenario: LoadScenarioId, system: string): LoadScenarioResult | undefined {
  return loadResults(results, scenario).find((r) => r.system === system);
}

export function idleResult(results: readonly ScenarioResult[], system: string): IdleResult | undefined {
  return results.find((r): r is IdleResult => r.kind === 'idle' && r.system === system);
}

export function stormResult(results: readonly ScenarioResult[], system: string): StormResult | undefined {
  return results.find((r): r is StormResult => r.kind === 'storm' && r.system === system);
}

export function syncResult(results: readonly ScenarioResult[]): SyncResult | undefined {
  return results.find((r): r is SyncResult => r.kind === 'sync');
}

/** A step that held: p99 (delivery or ack) within the limit, nothing lost, duplicated or left unacknowledged. */
export function held(step: StepResult, p99LimitMs: number, on: 'delivery' | 'ack'): boolean {
  const p99 = on === 'ack' ? step.ack.p99 : step.latency.p99;
  return p99 <= p99LimitMs && step.lost === 0 && step.duplicated === 0 && step.unacked === 0 && step.rejected === 0 && step.deliveriesPerSec >= step.offeredDeliveriesPerSec * 0.9;
}

/** The best step that held, by `figure`. */
export function bestHeld(result: LoadScenarioResult | undefined, p99LimitMs: number, on: 'delivery' | 'ack', figure: (s: StepResult) => number): StepResult | undefined {
  if (!result) return undefined;
  return result.steps.filter((s) => held(s, p99LimitMs, on)).sort((a, b) => figure(b) - figure(a))[0];
}

export function stepAt(result: LoadScenarioResult | undefined, offeredDeliveries: number): StepResult | undefined {
  return result?.steps.find((s) => Math.abs(s.offeredDeliveriesPerSec - offeredDeliveries) < offeredDeliveries * 0.01);
}

export const SCENARIO_TITLES: Record<LoadScenarioId, string> = {
  'fanout-10': 'Group fan-out, rooms of 10',
  'fanout-50': 'Group fan-out, rooms of 50',
  'one-to-one': 'Durable one-to-one',
  'two-node': 'Durable one-to-one on PostgreSQL + Redis',
  'search-write': 'Durable one-to-one with and without the search index',
};
