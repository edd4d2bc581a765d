// A stand-in for the `switchboard` command until `analytics` is wired into main.ts: a real
// commander program with the command registered, run as its own process by the CLI test.
import { Command } from 'commander';
import { registerAnalytics } from '../../src/cli/commands/analytics.command.js';
import { ConfigError } from '../../src/core/config.js';

const program = new Command('switchboard');
registerAnalytics(program);
program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
