import type { AnalyticsGroupBy } from '@switchboard/protocol';
import { AppError, type ErrorDetail } from '../core/errors.js';
import type { AnalyticsScope } from '../storage/store.js';

/** The longest range one summary covers, in days: a year, leap day included. */
export const MAX_RANGE_DAYS = 366;
/** The range when `from` is not given, in days before `to`. */
export const DEFAULT_RANGE_DAYS = 30;
const DAY_MS = 86_400_000;
export const GROUP_BYS: readonly AnalyticsGroupBy[] = ['day', 'week', 'month'];

/** A summary's question as callers state it: strings, any of them absent. */
export interface AnalyticsInput {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly type?: string | undefined;
  readonly queue?: string | undefined;
  readonly groupBy?: string | undefined;
}

export interface ResolvedRange {
  readonly scope: AnalyticsScope;
  readonly groupBy: AnalyticsGroupBy;
}

/** `2030-01-01` or a full instant with a zone (`2030-01-01T10:00:00Z`, `…+02:00`). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function parseInstant(value: string, path: string, problems: ErrorDetail[]): string | undefined {
  const ms = ISO_INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    problems.push({ path, message: 'must be an ISO-8601 date or instant with a zone, e.g. 2030-01-01 or 2030-01-01T00:00:00Z' });
    return undefined;
  }
  return new Date(ms).toISOString();
}

/**
 * Validates and normalises a summary's question: instants become UTC ISO strings (as stored),
 * `from` defaults to 30 days before `to`, `to` to now. Throws `validation_failed` listing every
 * problem at once: an unparsable instant, `from` not before `to`, a range over 366 days, an
 * unknown `group_by`.
 */
export function resolveRange(input: AnalyticsInput, now: Date): ResolvedRange {
  const problems: ErrorDetail[] = [];
  const to = input.to === undefined ? now.toISOString() : parseInstant(input.to, '/to', problems);
  const from = input.from === undefined ? (to === undefined ? undefined : new Date(Date.parse(to) - DEFAULT_RANGE_DAYS * DAY_MS).toISOString()) : parseInstant(input.from, '/from', problems);
  const groupBy = input.groupBy ?? 'day';
  if (!(GROUP_BYS as readonly string[]).includes(groupBy)) problems.push({ path: '/group_by', message: `must be one of ${GROUP_BYS.join(', ')}` });
  if (from !== undefined && to !== undefined) {
    const span = Date.parse(to) - Date.parse(from);
    if (span <= 0) problems.push({ path: '/from', message: 'must be before to' });
    else if (span > MAX_RANGE_DAYS * DAY_MS) problems.push({ path: '/to', message: `the range may cover at most ${MAX_RANGE_DAYS} days` });
  }
  if (problems.length > 0 || from === undefined || to === undefined) throw new AppError('validation_failed', `Invalid analytics range: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, problems);
  return {
    scope: { from, to, ...(input.type !== undefined && { type: input.type }), ...(input.queue !== undefined && { queue: input.queue }) },
    groupBy: groupBy as AnalyticsGroupBy,
  };
}
