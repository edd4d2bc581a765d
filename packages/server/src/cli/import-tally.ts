import type { ErrorDetail } from '../core/errors.js';
import type { CliContext } from './cli-context.js';
import { ExitCode } from './cli-error.js';

export type ImportOutcome = 'created' | 'updated' | 'unchanged';

/**
 * The counts of an import, and its bad lines reported as they are met (`line 17: …` on stderr),
 * so a long import shows its problems early and the summary states exact numbers.
 */
export class ImportTally {
  private readonly counts = { created: 0, updated: 0, unchanged: 0, failed: 0 };
  private readonly startedAt = performance.now();

  constructor(
    private readonly context: CliContext,
    private readonly label: string,
  ) {}

  count(outcome: ImportOutcome): void {
    this.counts[outcome]++;
  }

  fail(lineNumber: number, problem: string): void {
    this.counts.failed++;
    this.context.say(`line ${lineNumber}: ${problem}`);
  }

  get failed(): number {
    return this.counts.failed;
  }

  /** Prints the summary on stdout; the exit code is 2 when any line failed. */
  finish(): ExitCode {
    const { created, updated, unchanged, failed } = this.counts;
    const seconds = ((performance.now() - this.startedAt) / 1000).toFixed(1);
    this.context.streams.stdout.write(`${this.label}: ${created + updated + unchanged + failed} lines: created ${created}, updated ${updated}, unchanged ${unchanged}, failed ${failed} (${seconds} s)\n`);
    return failed > 0 ? ExitCode.badInput : ExitCode.ok;
  }
}

/** Validation details as one line: `/participants/0/user_id: must be a string; …`. */
export function describeDetails(details: readonly ErrorDetail[]): string {
  return details.map((d) => `${d.path || '/'}: ${d.message}`).join('; ');
}
