import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, retryDelayMs } from '../../src/jobs/retry-delay.js';

describe('retryDelayMs', () => {
  it('doubles the ceiling from 1 s with each attempt and caps it at 5 minutes', () => {
    const ceilings = Array.from({ length: 12 }, (_, i) => retryDelayMs(i + 1, () => 1));
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000]);
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 1000, capMs: 300_000 });
  });

  it('draws the delay uniformly below the ceiling (full jitter)', () => {
    expect(retryDelayMs(3, () => 0)).toBe(0);
    expect(retryDelayMs(3, () => 0.5)).toBe(2000);
    expect(retryDelayMs(3, () => 0.25)).toBe(1000);
  });

  it('stays at the cap however many attempts have failed', () => {
    expect(retryDelayMs(5000, () => 1)).toBe(300_000);
  });

  it('follows a given schedule', () => {
    expect(retryDelayMs(4, () => 1, { baseMs: 10, capMs: 50 })).toBe(50);
    expect(retryDelayMs(2, () => 1, { baseMs: 10, capMs: 50 })).toBe(20);
  });
});
