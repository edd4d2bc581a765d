import type { Command } from 'commander';
import { cliAction } from '../cli-context.js';

/** `switchboard migrate`: applies pending migrations (opening the store does) and exits. */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action(cliAction(async (context) => {
      await context.store();
      context.streams.stdout.write('migrations applied\n');
    }));
}
