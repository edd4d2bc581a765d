import { Command, CommanderError } from 'commander';
import type { Env } from '../core/config.js';
import { bindContext, CliContext, type CliStreams } from './cli-context.js';
import { ExitCode } from './cli-error.js';
import { commands } from './commands/index.js';

/** The `switchboard` program: every command of the registry, sharing one context. */
export function buildProgram(env: Env, streams: CliStreams): Command {
  const program = new Command('switchboard')
    .description('Self-hosted real-time messaging for operations platforms')
    .configureOutput({ writeOut: (text) => streams.stdout.write(text), writeErr: (text) => streams.stderr.write(text) })
    .showHelpAfterError('(run with --help for usage)')
    // Commander's own errors (unknown option, missing argument) become exit 2, not 1.
    .exitOverride();
  bindContext(program, new CliContext(env, streams));
  for (const register of commands) register(program);
  return program;
}

/** Parses argv and runs the command; resolves the exit code a usage error or help asks for. */
export async function runProgram(program: Command, argv: readonly string[]): Promise<ExitCode | undefined> {
  try {
    await program.parseAsync([...argv]);
    return undefined;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Help and version end with Commander's code 0; anything else it reports is a usage error.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
  }
}
