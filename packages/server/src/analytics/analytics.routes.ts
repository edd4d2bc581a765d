import { AnalyticsQuery, AnalyticsSummaryJson } from '@switchboard/protocol';
import { Type } from 'typebox';
import { actorOf } from '../rest/authenticate.js';
import { authErrors, type RoutePlugin } from '../rest/route-kit.js';
import type { AnalyticsInput } from './analytics-range.js';
import { toCsv } from './summary-csv.js';

const toInput = (q: AnalyticsQuery): AnalyticsInput => ({ from: q.from, to: q.to, type: q.type, queue: q.queue, groupBy: q.group_by });

/** The analytics summary, as JSON and as CSV (docs/analytics.md). Administrators and API keys only. */
export const analyticsRoutes: RoutePlugin = async (app, { services }) => {
  const { analytics } = services;

  app.get('/v1/analytics/summary', {
    schema: { tags: ['analytics'], summary: 'Rooms, messages, users, unread backlog, delivery latency and support figures over a range', querystring: AnalyticsQuery, response: { 200: AnalyticsSummaryJson, ...authErrors } },
    handler: async (request) => analytics.summary(actorOf(request), toInput(request.query)),
  });

  app.get('/v1/analytics/summary.csv', {
    schema: {
      tags: ['analytics'],
      summary: 'The same summary as CSV, one figure a line: metric,dimension,bucket,value',
      querystring: AnalyticsQuery,
      produces: ['text/csv'],
      response: { 200: Type.String({ description: 'text/csv with a header row' }), ...authErrors },
    },
    handler: async (request, reply) => {
      const summary = await analytics.summary(actorOf(request), toInput(request.query));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="switchboard-analytics-${summary.range.from.slice(0, 10)}-${summary.range.to.slice(0, 10)}.csv"`)
        .send(toCsv(summary));
    },
  });
};
