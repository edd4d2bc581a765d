import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { BenchReport } from '../results-model.js';
import { renderHtml } from './html-report.js';
import { renderTerminal } from './terminal-table.js';

/**
 * Writes the run as JSON and HTML (timestamped, plus `latest-<mode>.*`), and the terminal table
 * as Markdown for docs/performance.md. Returns the paths written, relative to the cwd.
 */
export function writeReports(report: BenchReport, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const json = `${JSON.stringify(report, null, 1)}\n`;
  const html = renderHtml(report);
  const markdown = `# Switchboard bench — ${report.mode} run of ${report.startedAt}\n\n\`\`\`text\n${renderTerminal(report)}\n\`\`\`\n`;
  const files: Array<[string, string]> = [
    [`bench-${stamp}-${report.mode}.json`, json],
    [`bench-${stamp}-${report.mode}.html`, html],
    [`latest-${report.mode}.json`, json],
    [`latest-${report.mode}.html`, html],
    [`latest-${report.mode}.md`, markdown],
  ];
  for (const [name, content] of files) writeFileSync(join(outDir, name), content);
  return files.map(([name]) => relative(process.cwd(), join(outDir, name)) || name);
}
