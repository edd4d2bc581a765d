import { describe, expect, it } from 'vitest';
import { benchPlan } from '../../bench/bench-plan.js';
import { parseOptions, type BenchOptions } from '../../bench/cli-options.js';

function parsed(...argv: string[]): BenchOptions {
  const options = parseOptions(argv);
  if (options === 'help') throw new Error('help');
  return options;
}

describe('bench --rates', () => {
  it('takes one or more offered rates, and none by default', () => {
    expect(parsed().rates).toBeUndefined();
    expect(parsed('--rates=20000').rates).toEqual([20_000]);
    expect(parsed('--rates=5000,20000').rates).toEqual([5_000, 20_000]);
  });

  it('refuses a missing, non-numeric or non-positive rate', () => {
    expect(() => parseOptions(['--rates'])).toThrow(/--rates needs/);
    expect(() => parseOptions(['--rates='])).toThrow(/--rates needs/);
    expect(() => parseOptions(['--rates=20k'])).toThrow(/20k is not a positive rate/);
    expect(() => parseOptions(['--rates=0'])).toThrow(/0 is not a positive rate/);
  });

  it('replaces the climb of every stepped scenario with a fixed plan at those rates', () => {
    const climb = benchPlan(false);
    const fixed = benchPlan(false, [20_000]);
    for (const key of ['fanout10', 'fanout50', 'oneToOne', 'twoNode'] as const) {
      expect(fixed[key]).toEqual({ ...climb[key], steps: [20_000], reference: undefined, fixed: true });
      expect(climb[key].fixed).toBeUndefined();
    }
    expect(fixed.stormConnections).toBe(climb.stormConnections);
  });
});
