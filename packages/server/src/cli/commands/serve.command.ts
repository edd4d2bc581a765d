import type { Command } from 'commander';
import { cliAction } from '../cli-context.js';

/** `switchboard serve [--demo]`: listens until SIGTERM or SIGINT, then drains and exits. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve (production: seeds nothing)')
    .option('--demo', 'seed demo users into an empty database', false)
    .action(cliAction(async (context, options: { demo: boolean }) => {
      const config = context.config(options.demo ? { seedDemo: true } : {});
      const { createLogger, startServer } = await import('../../server.js');
      const logger = createLogger(config);
      if (config.jwtSecretGenerated) logger.warn(`JWT_SECRET is not set: using a generated secret kept in ${config.dataDir}/jwt-secret`);
      const server = await startServer(config, { logger });
      logger.info({ url: server.url, store: config.databaseUrl ? 'postgres' : 'sqlite', bus: config.redisUrl ? 'redis' : 'memory' }, 'switchboard is serving');
      const shutdown = (signal: string) => {
        logger.info({ signal }, 'shutting down');
        const force = setTimeout(() => process.exit(1), 10_000);
        force.unref();
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', shutdown);
      process.once('SIGINT', shutdown);
    }));
}
