import type { AnalyticsSummaryJson, DurationStatsJson, SupportFiguresJson } from '@switchboard/protocol';

/**
 * One figure of a summary in the flat long format the CSV and the CLI's table use:
 * `metric,dimension,bucket,value`. `dimension` is `key=value` pairs joined by `;` (empty when
 * the figure is overall), `bucket` the ISO date of a time bucket (empty when not bucketed),
 * `value` a number or empty for an undefined figure (a percentile of nothing).
 */
export interface SummaryRow {
  readonly metric: string;
  readonly dimension: string;
  readonly bucket: string;
  readonly value: number | null;
}

const row = (metric: string, value: number | null, dimension = '', bucket = ''): SummaryRow => ({ metric, dimension, bucket, value });

function durationRows(metric: string, stats: DurationStatsJson, dimension: string): SummaryRow[] {
  return [row(`${metric}.count`, stats.count, dimension), row(`${metric}.p50_ms`, stats.p50_ms, dimension), row(`${metric}.p90_ms`, stats.p90_ms, dimension)];
}

function supportRows(figures: SupportFiguresJson, dimension: string): SummaryRow[] {
  return [
    row('support.cases', figures.cases, dimension),
    row('support.cycles', figures.cycles, dimension),
    ...durationRows('support.first_response', figures.first_response, dimension),
    ...durationRows('support.resolution', figures.resolution, dimension),
    row('support.resolved', figures.resolved, dimension),
    row('support.reopened', figures.reopened, dimension),
    row('support.reopen_rate', figures.reopen_rate, dimension),
    row('support.csat.count', figures.csat.count, dimension),
    row('support.csat.average', figures.csat.average, dimension),
  ];
}

/** Every figure of the summary, in the summary's order. */
export function summaryRows(summary: AnalyticsSummaryJson): SummaryRow[] {
  return [
    row('rooms.total', summary.rooms.total),
    row('rooms.created', summary.rooms.created),
    row('rooms.active', summary.rooms.active),
    row('rooms.open', summary.rooms.open),
    ...summary.rooms.by_type.flatMap((t) => [
      row('rooms.total', t.total, `type=${t.type}`),
      row('rooms.created', t.created, `type=${t.type}`),
      row('rooms.active', t.active, `type=${t.type}`),
      row('rooms.open', t.open, `type=${t.type}`),
    ]),
    row('messages.total', summary.messages.total),
    ...summary.messages.series.map((s) => row('messages.count', s.count, `type=${s.type};sender_role=${s.sender_role}`, s.bucket)),
    row('active_users', summary.active_users),
    ...summary.unread_backlog.flatMap((b) => [row('unread.participants', b.participants, `role=${b.role}`), row('unread.messages', b.unread, `role=${b.role}`)]),
    ...durationRows('delivery_latency', summary.delivery_latency, ''),
    ...supportRows(summary.support.overall, ''),
    ...summary.support.by_queue.flatMap((q) => supportRows(q, `queue=${q.queue}`)),
    ...summary.support.by_agent.flatMap((a) => supportRows(a, `agent=${a.agent_id}`)),
  ];
}
