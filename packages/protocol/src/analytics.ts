import { Type, type Static } from 'typebox';

/** Analytics' wire shapes (`GET /v1/analytics/summary`, its CSV twin and the CLI's JSON). */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Count = Type.Integer({ minimum: 0 });

export const AnalyticsGroupBy = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], { description: 'UTC buckets: the day, the ISO week (its Monday) or the month (its 1st)' });
export type AnalyticsGroupBy = Static<typeof AnalyticsGroupBy>;

/** The query of a summary; every field optional (the last 30 days, by day, everything). */
export const AnalyticsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO-8601 instant or date (UTC), inclusive; default: 30 days before `to`' })),
    to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO-8601 instant or date (UTC), exclusive; default: now' })),
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Only conversations of this type' })),
    queue: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Only support cases of this queue (and their conversations)' })),
    group_by: Type.Optional(AnalyticsGroupBy),
  },
  { additionalProperties: false },
);
export type AnalyticsQuery = Static<typeof AnalyticsQuery>;

/** Nearest-rank percentiles of a set of durations in milliseconds; null when the set is empty. */
export const DurationStatsJson = Type.Object({ count: Count, p50_ms: Nullable(Type.Integer()), p90_ms: Nullable(Type.Integer()) });
export type DurationStatsJson = Static<typeof DurationStatsJson>;

const supportFigures = {
  cases: Type.Integer({ minimum: 0, description: 'Cases opened in the range (for an agent: those assigned to them now)' }),
  cycles: Type.Integer({ minimum: 0, description: 'Open and reopen cycles (for an agent: those they answered first)' }),
  first_response: DurationStatsJson,
  resolution: DurationStatsJson,
  resolved: Type.Integer({ minimum: 0, description: 'Cases resolved at least once' }),
  reopened: Type.Integer({ minimum: 0, description: 'Cases reopened at least once' }),
  reopen_rate: Nullable(Type.Number({ description: 'reopened / resolved, 4 decimals' })),
  csat: Type.Object({ count: Count, average: Nullable(Type.Number({ description: '2 decimals' })) }),
};
export const SupportFiguresJson = Type.Object(supportFigures);
export type SupportFiguresJson = Static<typeof SupportFiguresJson>;

export const AnalyticsSummaryJson = Type.Object({
  range: Type.Object({ from: Type.String(), to: Type.String(), group_by: AnalyticsGroupBy, type: Nullable(Type.String()), queue: Nullable(Type.String()) }),
  rooms: Type.Object({
    total: Count,
    created: Count,
    active: Count,
    open: Count,
    by_type: Type.Array(Type.Object({ type: Type.String(), total: Count, created: Count, active: Count, open: Count })),
  }),
  messages: Type.Object({
    total: Count,
    series: Type.Array(Type.Object({ bucket: Type.String(), type: Type.String(), sender_role: Type.String(), count: Count })),
  }),
  active_users: Count,
  unread_backlog: Type.Array(Type.Object({ role: Type.String(), participants: Count, unread: Count })),
  delivery_latency: DurationStatsJson,
  support: Type.Object({
    overall: SupportFiguresJson,
    by_queue: Type.Array(Type.Object({ queue: Type.String(), ...supportFigures })),
    by_agent: Type.Array(Type.Object({ agent_id: Type.String(), ...supportFigures })),
  }),
});
export type AnalyticsSummaryJson = Static<typeof AnalyticsSummaryJson>;
