import { Type } from 'typebox';
import type { RoutePlugin } from '../rest/route-kit.js';
import { ErrorBody } from '@switchboard/protocol';
import type { Metrics } from './metrics.js';

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
      summary: 'Readiness: the store answers',
      response: { 200: Type.Object({ status: Type.Literal('ready'), store: Type.String() }), 503: ErrorBody },
    },
    handler: async (_request, reply) => {
      try {
        await services.directory.ping();
        return { status: 'ready' as const, store: 'ok' };
      } catch {
        return reply.status(503).send({ error: { code: 'store_unavailable', message: 'The store does not answer' } });
      }
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
