import { Type } from 'typebox';
import type { RoutePlugin } from '../rest/route-kit.js';
import type { Metrics } from './metrics.js';

const DependencyStates = { store: Type.String(), redis: Type.Optional(Type.String({ description: 'Present when the node uses Redis' })) };
const NotReady = Type.Object({
  status: Type.Literal('not_ready'),
  ...DependencyStates,
  failed: Type.Array(Type.String(), { description: 'The dependencies that did not answer in time' }),
  error: Type.Object({ code: Type.String({ description: '`store_unavailable`, or `<dependency>_unavailable`' }), message: Type.String() }),
});

/** Liveness, readiness and metrics: public, for load balancers and scrapers. */
export const opsRoutes: RoutePlugin = async (app, { services }) => {
  const metrics = (app as unknown as { metrics: Metrics }).metrics;

  app.get('/health', {
    config: { auth: false },
    schema: { tags: ['ops'], summary: 'Liveness: the process is serving', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    handler: async () => ({ status: 'ok' as const }),
  });

  app.get('/ready', {
    config: { auth: false },
    schema: {
      tags: ['ops'],
      summary: 'Readiness: the store answers, and Redis when the node uses it',
      querystring: Type.Object({
        ignore: Type.Optional(Type.String({ description: 'Dependencies (comma separated, e.g. `redis`) reported but not required: for probes that prefer a degraded node to none' })),
      }),
      response: { 200: Type.Object({ status: Type.Literal('ready'), ...DependencyStates }), 503: NotReady },
    },
    handler: async (request, reply) => {
      const report = await services.readiness.check();
      const states = report.dependencies as { store: string; redis?: string };
      const ignored = new Set((request.query.ignore ?? '').split(',').map((name) => name.trim()));
      const failed = report.failed.filter((name) => !ignored.has(name));
      if (report.failed.length > 0) services.logger.warn({ failed: report.failed, reasons: report.reasons }, 'a dependency does not answer');
      if (failed.length === 0) return { status: 'ready' as const, ...states };
      // The store first: without it nothing is served; without Redis the node only degrades.
      const first = failed.includes('store') ? 'store' : failed[0]!;
      const error = { code: `${first}_unavailable`, message: `Not ready: ${failed.join(' and ')} did not answer` };
      return reply.status(503).send({ status: 'not_ready' as const, ...states, failed, error });
    },
  });

  app.get('/metrics', {
    config: { auth: false },
    schema: { tags: ['ops'], summary: 'Prometheus metrics', hide: false },
    handler: async (_request, reply) => {
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  });
};
