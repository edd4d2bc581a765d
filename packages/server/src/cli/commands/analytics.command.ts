import { Option, type Command } from 'commander';
import { resolveRange, type AnalyticsInput } from '../../analytics/analytics-range.js';
import { AnalyticsService } from '../../analytics/analytics.service.js';
import { toCsv } from '../../analytics/summary-csv.js';
import { toTable } from '../../analytics/summary-table.js';
import { isAppError } from '../../core/errors.js';
import { loadPolicy } from '../../policy/policy.js';
import { cliAction } from '../cli-context.js';
import { usageError } from '../cli-error.js';

const FORMATS = ['table', 'json', 'csv'] as const;
type Format = (typeof FORMATS)[number];

interface AnalyticsOptions {
  from?: string;
  to?: string;
  type?: string;
  queue?: string;
  groupBy: string;
  format: Format;
}

const EXAMPLES = `
Figures and their definitions: docs/analytics.md. The range is [from, to) in UTC, at most 366 days.

Examples:
  switchboard analytics --from 2030-01-01 --to 2030-02-01
  switchboard analytics --from 2030-01-01T00:00:00Z --group-by week --format csv > january.csv

Exit codes: 0 printed, 1 the store failed, 2 bad arguments.`;

/**
 * `switchboard analytics`: prints the analytics summary of a range, as the REST summary gives it,
 * from the store the environment names. Acts with the operator's authority: whoever runs it holds
 * the database already.
 */
export function registerAnalytics(program: Command): void {
  program
    .command('analytics')
    .description('Print the analytics summary of a range (rooms, messages, users, unread, delivery, support) and exit')
    .option('--from <iso>', 'start, inclusive: an ISO-8601 date or instant (default: 30 days before --to)')
    .option('--to <iso>', 'end, exclusive (default: now)')
    .option('--type <type>', 'only conversations of this type')
    .option('--queue <queue>', 'only support cases of this queue and their conversations')
    .addOption(new Option('--group-by <bucket>', 'message buckets: day, week (ISO, from Monday) or month').default('day'))
    .addOption(new Option('--format <format>', 'output').choices(FORMATS).default('table'))
    .addHelpText('after', EXAMPLES)
    .action(
      cliAction(async (context, options: AnalyticsOptions) => {
        const input: AnalyticsInput = { from: options.from, to: options.to, type: options.type, queue: options.queue, groupBy: options.groupBy };
        try {
          // Checked before the store opens: a typo never waits on a database.
          resolveRange(input, new Date());
        } catch (error) {
          if (isAppError(error)) throw usageError(describeProblems(error.details, error.message));
          throw error;
        }
        const summary = await new AnalyticsService(await context.store(), loadPolicy(context.config().policyFile)).summary(context.actor, input);
        context.streams.stdout.write(render(summary, options.format));
      }),
    );
}

/** The range's problems in the CLI's words (`--from must be before to`). */
function describeProblems(details: unknown, fallback: string): string {
  if (!Array.isArray(details) || details.length === 0) return fallback;
  return details.map((d: { path?: string; message: string }) => `--${(d.path ?? '').replace(/^\//, '').replace('_', '-')} ${d.message}`).join('; ');
}

function render(summary: Parameters<typeof toCsv>[0], format: Format): string {
  if (format === 'json') return `${JSON.stringify(summary, null, 2)}\n`;
  return format === 'csv' ? toCsv(summary) : toTable(summary);
}
