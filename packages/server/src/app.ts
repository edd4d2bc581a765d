import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { OriginAllowList } from './core/origin-allow-list.js';
import { compileValidator } from './core/validation.js';
import { NativeWsGateway } from './gateways/native-ws/native-ws.gateway.js';
import { UpgradeRouter } from './gateways/upgrade-router.js';
import { PROFILES } from './profiles/index.js';
import type { RealtimeGateway } from './profiles/profile.js';
import { Metrics } from './ops/metrics.js';
import { opsRoutes } from './ops/ops.routes.js';
import { registerAuthentication } from './rest/authenticate.js';
import { registerErrorHandler } from './rest/error-handler.js';
import { registerJsonBodyParser } from './rest/json-body-parser.js';
import { authRoutes } from './rest/routes/auth.routes.js';
import { conversationRoutes } from './rest/routes/conversations.routes.js';
import { messageRoutes } from './rest/routes/messages.routes.js';
import { userRoutes } from './rest/routes/users.routes.js';
import { supportRoutes } from './rest/routes/support.routes.js';
import { attachmentRoutes } from './attachments/attachment.routes.js';
import { moderationRoutes } from './moderation/moderation.routes.js';
import { analyticsRoutes } from './analytics/analytics.routes.js';
import { demoUserRoutes } from './demo/demo-users.routes.js';
import { searchRoutes } from './search/search.routes.js';
import { webhookRoutes } from './webhooks/webhook.routes.js';
import { notificationRoutes } from './notifications/notification.routes.js';
import type { Services } from './services.js';
import { serveWebApp } from './web/serve-web-app.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
    /** Routes WebSocket upgrades to the gateways. */
    upgrades: UpgradeRouter;
  }
}

/** Fastify's validation through the shared validator: bodies strict, strings converted elsewhere. */
const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const validate = compileValidator(schema, { convert: httpPart !== 'body' });
  return (input: unknown) => {
    const result = validate(input);
    if (result.ok) return { value: result.value };
    return { error: result.details.map((d) => ({ instancePath: d.path ?? '', message: d.message, keyword: 'schema', schemaPath: '', params: {} })) } as never;
  };
};

/**
 * Builds the HTTP application over the services without listening, so tests can `inject()`
 * and `main.ts` decides where to listen.
 */
export async function buildApp(services: Services): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: services.logger as unknown as FastifyBaseLogger,
    bodyLimit: services.config.bodyLimitBytes,
    // request.ip (login throttling) resolves through the same proxies as real-time connections.
    trustProxy: services.config.trustProxy.length > 0 ? [...services.config.trustProxy] : false,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    // A client that never finishes its headers (a bare TCP connection, a slow-loris, an upgrade
    // cut short) is answered 408 and closed; Node's defaults would hold it for up to 90 s.
    http: { headersTimeout: services.config.httpHeadersTimeoutMs, connectionsCheckingInterval: Math.min(5000, Math.max(100, Math.floor(services.config.httpHeadersTimeoutMs / 2))) },
    // Per-request lines only at debug: at info they would drown the log under load.
    logController: new LogController({ disableRequestLogging: !['debug', 'trace'].includes(services.config.logLevel) }),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.decorate('metrics', new Metrics());
  services.reportTo(app.metrics);
  app.addHook('onResponse', async (request, reply) => {
    app.metrics.httpRequests.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  registerJsonBodyParser(app);
  // Before authentication, so a preflight (which carries no credential) is answered here.
  const origins = new OriginAllowList(services.config.corsOrigins);
  if (origins.configured) {
    await app.register(cors, { origin: origins.corsOrigin(), methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], exposedHeaders: ['retry-after', 'content-disposition'], maxAge: 600 });
  }
  // Database outages arrive here already as store_unavailable: the store translates them once.
  registerErrorHandler(app);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Switchboard', version: '1', description: 'Real-time messaging for operations platforms' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
  });
  // The OpenAPI document and Swagger UI are public.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...route.config, auth: false };
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });

  registerAuthentication(app, services.auth);
  for (const routes of [opsRoutes, authRoutes, userRoutes, conversationRoutes, messageRoutes, attachmentRoutes, supportRoutes, moderationRoutes, analyticsRoutes, searchRoutes, webhookRoutes, notificationRoutes]) {
    await app.register(routes, { services });
  }
  if (services.config.seedDemo) await app.register(demoUserRoutes, { services });
  for (const profile of PROFILES) if (profile.routes) await app.register(profile.routes, { services });
  await app.register(serveWebApp);

  app.decorate('upgrades', new UpgradeRouter(app.server, { answerWithinMs: services.config.authTimeoutMs }));
  const context = { services, server: app.server, upgrades: app.upgrades, metrics: app.metrics };
  const gateways: RealtimeGateway[] = [new NativeWsGateway(services, app.upgrades, app.metrics), ...PROFILES.flatMap((p) => p.gateways?.(context) ?? [])];
  // Real-time connections are told to go before the HTTP server stops accepting.
  app.addHook('preClose', async () => {
    for (const gateway of gateways) await gateway.close();
  });
  return app;
}
