import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { ServiceActor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import { ConfigError, loadConfig, type Config, type Env } from '../core/config.js';
import type { Services } from '../services.js';
import type { Store } from '../storage/store.js';
import { CliError, ExitCode } from './cli-error.js';
import { createProgress, type Progress, type ProgressStream } from './progress.js';

/** Where a command writes: data to `stdout`, messages and progress to `stderr`. */
export interface CliStreams {
  readonly stdout: NodeJS.WritableStream & ProgressStream;
  readonly stderr: NodeJS.WritableStream & ProgressStream;
}

/** The CLI acts as the host app's backend does with an API key: a service, not a user. */
const CLI_ACTOR: ServiceActor = { kind: 'service', keyId: 'cli' };

/**
 * What every command shares: the configuration (read from the environment once), the store or
 * the services (opened on first use, closed when the command ends), progress, and output.
 */
export class CliContext {
  readonly actor: ServiceActor = CLI_ACTOR;
  private loaded: Config | undefined;
  private opened: Services | undefined;
  private openedStore: Store | undefined;

  constructor(
    private readonly env: Env,
    readonly streams: CliStreams,
  ) {}

  /** The configuration, with `overrides` applied the first time it is read. */
  config(overrides: Partial<Config> = {}): Config {
    this.loaded ??= loadConfig(this.env, overrides);
    return this.loaded;
  }

  /**
   * The services a command writes through, as a node with jobs off would run them: the CLI
   * never runs outbox jobs, the serving nodes do. With `REDIS_URL` their events reach every
   * node, so open connections hear of what a command changed.
   */
  async services(): Promise<Services> {
    if (this.opened) return this.opened;
    // A store opened earlier (a --strict check) is handed over: the services close it.
    const overrides = this.openedStore ? { store: this.openedStore } : {};
    this.openedStore = undefined;
    // Loaded on first use: `--help` and bad arguments answer without loading the server.
    const { createServices } = await import('../services.js');
    this.opened = await createServices({ ...this.config(), jobsEnabled: false }, await cliLogger(this.config()), overrides);
    return this.opened;
  }

  /** The store alone (migrated), for commands that only read or only migrate. */
  async store(): Promise<Store> {
    if (this.opened) return this.opened.store;
    const { openStore } = await import('../storage/open-store.js');
    this.openedStore ??= await openStore(this.config());
    return this.openedStore;
  }

  progress(label: string, total: number | undefined): Progress {
    return createProgress(this.streams.stderr, label, total);
  }

  /** A line for the operator (stderr, so stdout stays data). */
  say(line: string): void {
    this.streams.stderr.write(`${line}\n`);
  }

  async close(): Promise<void> {
    await this.opened?.close();
    await this.openedStore?.close();
    this.opened = undefined;
    this.openedStore = undefined;
  }
}

const contexts = new WeakMap<Command, CliContext>();

/** Makes `context` the one every command under `program` uses. */
export function bindContext(program: Command, context: CliContext): void {
  contexts.set(program, context);
}

/** The context of the program a command belongs to. */
export function contextOf(command: Command): CliContext {
  let root = command;
  while (root.parent) root = root.parent;
  const context = contexts.get(root);
  if (!context) throw new Error('command is not part of a program built by buildProgram');
  return context;
}

/**
 * Wraps a command's action: runs it with the context, closes what it opened, and turns a failure
 * into one line on stderr and the exit code of the convention (see `ExitCode`).
 */
export function cliAction<A extends unknown[]>(run: (context: CliContext, ...args: A) => Promise<ExitCode | void>) {
  return async function (this: Command, ...args: A): Promise<void> {
    const context = contextOf(this);
    let code: ExitCode;
    try {
      code = (await run(context, ...args)) ?? ExitCode.ok;
    } catch (error) {
      code = report(context, error);
    }
    try {
      await context.close();
    } catch (error) {
      code = report(context, error);
    }
    process.exitCode = code;
  };
}

function report(context: CliContext, error: unknown): ExitCode {
  if (error instanceof CliError) {
    context.say(`error: ${error.message}`);
    return error.exitCode;
  }
  if (error instanceof ConfigError) {
    context.say(error.message);
    return ExitCode.failure;
  }
  if (error instanceof AppError) {
    context.say(`error: ${error.code}: ${error.message}`);
    return error.status >= 400 && error.status < 500 ? ExitCode.badInput : ExitCode.failure;
  }
  context.say(`error: ${error instanceof Error ? error.message : String(error)}`);
  return ExitCode.failure;
}

/** Logs go to stderr and, unless LOG_LEVEL asks for more, only warnings: stdout may be an export. */
async function cliLogger(config: Config): Promise<Logger> {
  const { pino } = await import('pino');
  const level = config.logLevel === 'info' ? 'warn' : config.logLevel;
  return pino({ level }, pino.destination(2));
}
