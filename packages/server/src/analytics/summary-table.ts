import type { AnalyticsSummaryJson } from '@switchboard/protocol';
import { CSV_HEADER } from './summary-csv.js';
import { summaryRows } from './summary-rows.js';

/** The summary as aligned plain-text columns, for a terminal; the same rows as the CSV. */
export function toTable(summary: AnalyticsSummaryJson): string {
  const cells = [[...CSV_HEADER] as string[], ...summaryRows(summary).map((r) => [r.metric, r.dimension, r.bucket, r.value === null ? '-' : String(r.value)])];
  const widths = CSV_HEADER.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return `${cells.map((c) => c.map((v, i) => (i === 3 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n')}\n`;
}
