import { Command } from 'commander';
import { ConfigError, loadConfig } from './core/config.js';
import { createLogger, startServer } from './server.js';
import { openStore } from './storage/open-store.js';

/** The `switchboard` command. The only module that reads `process.env`. */
const program = new Command('switchboard').description('Self-hosted real-time messaging for operations platforms');

program
  .command('serve')
  .description('Serve (production: seeds nothing)')
  .option('--demo', 'seed demo users into an empty database', false)
  .action(async (options: { demo: boolean }) => {
    const config = loadConfig(process.env, options.demo ? { seedDemo: true } : {});
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
  });

program
  .command('migrate')
  .description('Apply pending database migrations and exit')
  .action(async () => {
    const config = loadConfig(process.env);
    const store = await openStore(config);
    await store.close();
    console.log('migrations applied');
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
