/**
 * How a command ends, as the shell sees it.
 * - `ok` (0): everything asked for was done.
 * - `failure` (1): the system could not do it (store unreachable, bad configuration, a write failed).
 * - `badInput` (2): the caller's mistake (unknown option, missing argument, unreadable or invalid
 *   file, lines that failed); nothing is wrong with the system.
 */
export const ExitCode = { ok: 0, failure: 1, badInput: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the command explains in one line on stderr, ending with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The caller's mistake: exit 2. */
export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.badInput);
}
