import { describe, expect, it } from 'vitest';
import { resolveRange } from '../../src/analytics/analytics-range.js';
import { nearestRank } from '../../src/analytics/nearest-rank.js';
import { firstResponses } from '../../src/analytics/support-figures.js';
import { timeBucket } from '../../src/analytics/time-bucket.js';
import { AppError } from '../../src/core/errors.js';
import type { CaseHistory } from '../../src/storage/store.js';

const NOW = new Date('2030-03-01T12:00:00.000Z');

describe('resolveRange', () => {
  it('defaults to the 30 days before now, by day', () => {
    expect(resolveRange({}, NOW)).toEqual({ scope: { from: '2030-01-30T12:00:00.000Z', to: '2030-03-01T12:00:00.000Z' }, groupBy: 'day' });
  });

  it('reads dates as UTC midnight and instants with an offset as the same UTC instant', () => {
    expect(resolveRange({ from: '2030-01-01', to: '2030-01-02T01:30:00+02:00' }, NOW).scope).toEqual({ from: '2030-01-01T00:00:00.000Z', to: '2030-01-01T23:30:00.000Z' });
  });

  it('refuses an instant without a zone, which would be read in the server’s local time', () => {
    expect(() => resolveRange({ from: '2030-01-01T10:00:00' }, NOW)).toThrow(AppError);
  });

  it('lists every problem at once', () => {
    const error = (() => {
      try {
        resolveRange({ from: 'soon', to: 'later', groupBy: 'year' }, NOW);
      } catch (e) {
        return e as AppError;
      }
    })();
    expect(error?.details).toEqual([
      { path: '/to', message: 'must be an ISO-8601 date or instant with a zone, e.g. 2030-01-01 or 2030-01-01T00:00:00Z' },
      { path: '/from', message: 'must be an ISO-8601 date or instant with a zone, e.g. 2030-01-01 or 2030-01-01T00:00:00Z' },
      { path: '/group_by', message: 'must be one of day, week, month' },
    ]);
  });
});

describe('timeBucket', () => {
  it('names a week by its Monday, across a year end, a Sunday belonging to the week before it', () => {
    expect(timeBucket('2030-01-01', 'week')).toBe('2029-12-31');
    expect(timeBucket('2030-01-06', 'week')).toBe('2029-12-31');
    expect(timeBucket('2030-01-07', 'week')).toBe('2030-01-07');
    expect(timeBucket('2028-02-29', 'month')).toBe('2028-02-01');
    expect(timeBucket('2028-02-29', 'day')).toBe('2028-02-29');
  });
});

describe('nearestRank', () => {
  it('takes the value at rank ⌈p·n⌉, never interpolating', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(nearestRank(ten, 0.5)).toBe(5);
    expect(nearestRank(ten, 0.9)).toBe(9);
    expect(nearestRank([7], 0.9)).toBe(7);
    expect(nearestRank([], 0.5)).toBeNull();
  });
});

describe('firstResponses', () => {
  const history = (events: CaseHistory['events']): CaseHistory => ({ conversationId: 'c', queue: 'q', requesterId: 'r', assignedAgentId: null, createdAt: '2030-01-01T00:00:00.000Z', resolvedAt: null, csatScore: null, events });

  it('gives each cycle only the first reply inside it, credited to its sender', () => {
    const { cycles, responses } = firstResponses(
      history([
        { seq: 2, at: '2030-01-01T00:01:00.000Z', type: 'reply', senderId: 'a' },
        { seq: 3, at: '2030-01-01T00:02:00.000Z', type: 'reply', senderId: 'b' },
        { seq: 5, at: '2030-01-02T00:00:00.000Z', type: 'reopened', senderId: null },
        { seq: 7, at: '2030-01-03T00:00:00.000Z', type: 'reopened', senderId: null },
        { seq: 8, at: '2030-01-03T00:00:30.000Z', type: 'reply', senderId: 'b' },
      ]),
    );
    // The middle cycle (reopened at seq 5, again at 7) went unanswered.
    expect(cycles).toBe(3);
    expect(responses).toEqual([
      { queue: 'q', agentId: 'a', ms: 60_000 },
      { queue: 'q', agentId: 'b', ms: 30_000 },
    ]);
  });
});
