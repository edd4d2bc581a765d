import type { AnalyticsGroupBy } from '@switchboard/protocol';

/**
 * The bucket a UTC day (`YYYY-MM-DD`) falls in, as an ISO date: the day itself, the Monday of
 * its ISO week, or the first of its month.
 * @example timeBucket('2030-01-03', 'week') // '2029-12-31' (that Thursday's Monday)
 */
export function timeBucket(day: string, groupBy: AnalyticsGroupBy): string {
  if (groupBy === 'day') return day;
  if (groupBy === 'month') return `${day.slice(0, 7)}-01`;
  const date = new Date(`${day}T00:00:00.000Z`);
  // getUTCDay: Sunday 0 … Saturday 6; an ISO week starts on Monday.
  const sinceMonday = (date.getUTCDay() + 6) % 7;
  return new Date(date.getTime() - sinceMonday * 86_400_000).toISOString().slice(0, 10);
}
