import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { buildApp } from './app.js';
import type { Config } from './core/config.js';
import { seedDemoRequest } from './demo/demo-request.js';
import { seedDemoTrip } from './demo/demo-trip.js';
import { seedDemoUsers } from './demo/demo-users.js';
import { createServices, type ServiceOverrides, type Services } from './services.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly services: Services;
  /** `http://host:port` the server listens on. */
  readonly url: string;
  /** Stops accepting, drains open requests and connections, then closes the store and bus. */
  close(): Promise<void>;
}

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel });
}

/** Builds and listens; used by `main.ts` and by tests that need a real port. */
export async function startServer(config: Config, options: { logger?: Logger; overrides?: ServiceOverrides } = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config);
  const services = await createServices(config, logger, options.overrides);
  if (config.seedDemo) {
    const seeded = await seedDemoUsers(services.store);
    if (seeded > 0) {
      await seedDemoTrip(services.store);
      await seedDemoRequest(services.store);
      logger.info({ seeded }, 'seeded demo users (password: password123), the StepperGO demo trip T-1001 and the MoreVans demo request R-2001');
    }
  }
  const app = await buildApp(services);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  let closing: Promise<void> | undefined;
  return {
    app,
    services,
    url: `http://${host}:${port}`,
    close: () => {
      closing ??= (async () => {
        await app.close();
        await services.close();
      })();
      return closing;
    },
  };
}
