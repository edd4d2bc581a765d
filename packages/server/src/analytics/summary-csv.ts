import type { AnalyticsSummaryJson } from '@switchboard/protocol';
import { summaryRows } from './summary-rows.js';

export const CSV_HEADER = ['metric', 'dimension', 'bucket', 'value'] as const;

/** RFC 4180 quoting: a field with a comma, quote or line break is quoted, its quotes doubled. */
const field = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/**
 * The summary as CSV in the long format of `summaryRows`: a header row, then one line per figure,
 * CRLF line ends.
 * @example toCsv(summary).split('\r\n')[0] // 'metric,dimension,bucket,value'
 */
export function toCsv(summary: AnalyticsSummaryJson): string {
  const lines = [CSV_HEADER.join(','), ...summaryRows(summary).map((r) => [r.metric, r.dimension, r.bucket, r.value === null ? '' : String(r.value)].map(field).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
