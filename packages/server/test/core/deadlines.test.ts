import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FixedDeadlines, InstantDeadlines } from '../../src/core/deadlines.js';

/** One timer for many items: each still expires at its own time, never early, once. */

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Instant deadlines that record what expired, in order. */
function recordingInstants() {
  const expired: string[] = [];
  return { expired, deadlines: new InstantDeadlines<string>((item) => expired.push(item)) };
}

describe('fixed deadlines', () => {
  it('expires each item its delay after it was added, in order, on one timer', () => {
    const expired: string[] = [];
    const deadlines = new FixedDeadlines<string>(1000, (item) => expired.push(item));
    deadlines.add('a');
    vi.advanceTimersByTime(400);
    deadlines.add('b');
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(599);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['a']);
    vi.advanceTimersByTime(399);
    expect(expired).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['a', 'b']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never expires a deleted item, and restarts an item added again', () => {
    const expired: string[] = [];
    const deadlines = new FixedDeadlines<string>(1000, (item) => expired.push(item));
    deadlines.add('gone');
    deadlines.add('again');
    vi.advanceTimersByTime(500);
    deadlines.delete('gone');
    deadlines.add('again');
    vi.advanceTimersByTime(500);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(500);
    expect(expired).toEqual(['again']);
    expect(deadlines.size).toBe(0);
  });

  it('keeps one timer when an expiry adds an item', () => {
    const expired: string[] = [];
    const deadlines: FixedDeadlines<string> = new FixedDeadlines<string>(100, (item) => {
      expired.push(item);
      if (item === 'first') deadlines.add('second');
    });
    deadlines.add('first');
    vi.advanceTimersByTime(100);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(100);
    expect(expired).toEqual(['first', 'second']);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('instant deadlines', () => {
  it('expires items at their instants, sharing one timer, grouped by instant', () => {
    const { expired, deadlines } = recordingInstants();
    const now = Date.now();
    deadlines.add('late', now + 3000);
    deadlines.add('early', now + 1000);
    deadlines.add('early too', now + 1000);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(999);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired.sort()).toEqual(['early', 'early too']);
    vi.advanceTimersByTime(1999);
    expect(expired).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(expired).toContain('late');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('expires an item whose instant has passed at once', () => {
    const { expired, deadlines } = recordingInstants();
    deadlines.add('stale', Date.now() - 5000);
    vi.advanceTimersByTime(0);
    expect(expired).toEqual(['stale']);
  });

  it('never expires a deleted item, and arms for the next group when the earliest is gone', () => {
    const { expired, deadlines } = recordingInstants();
    const now = Date.now();
    deadlines.add('left', now + 1000);
    deadlines.add('stays', now + 2000);
    deadlines.delete('left', now + 1000);
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual([]);
    expect(deadlines.size).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual(['stays']);
  });

  it('waits past the longest timer Node allows without expiring early', () => {
    const { expired, deadlines } = recordingInstants();
    const at = Date.now() + 2 ** 31 + 5000;
    deadlines.add('far', at);
    vi.advanceTimersByTime(2 ** 31);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(5000);
    expect(expired).toEqual(['far']);
  });

  it('moves the timer earlier for an earlier instant', () => {
    const { expired, deadlines } = recordingInstants();
    const now = Date.now();
    deadlines.add('later', now + 5000);
    deadlines.add('sooner', now + 100);
    vi.advanceTimersByTime(100);
    expect(expired).toEqual(['sooner']);
    expect(vi.getTimerCount()).toBe(1);
  });
});
