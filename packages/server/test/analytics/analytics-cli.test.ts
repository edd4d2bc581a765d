import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import type { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
import { openStore } from '../../src/storage/open-store.js';
import { RANGE, seedAnalytics } from './analytics-seed.js';
import { EXPECTED_SUMMARY } from './expected-summary.js';
import { runCli } from '../cli/run-cli.js';

describe('switchboard analytics', () => {
  let dataDir: string;

  /** Runs the command as its own process against the seeded data directory. */
  const run = (args: string[]) => runCli(['analytics', ...args], { DATA_DIR: dataDir, LOG_LEVEL: 'silent', JWT_SECRET: 'x'.repeat(40) });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-analytics-cli-'));
    const store = await openStore(loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'x'.repeat(40) }));
    await seedAnalytics(store, (store as KyselyStore).adapter.db);
    await store.close();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints the same summary as the REST API as JSON and exits 0', async () => {
    const { code, stdout, stderr } = await run(['--from', RANGE.from, '--to', RANGE.to, '--format', 'json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(EXPECTED_SUMMARY);
  });

  it('prints CSV with a header row, dates accepted for the range', async () => {
    const { code, stdout } = await run(['--from', '2030-01-01', '--to', '2030-01-15', '--format', 'csv', '--group-by', 'month']);
    expect(code).toBe(0);
    const lines = stdout.split('\r\n');
    expect(lines[0]).toBe('metric,dimension,bucket,value');
    expect(lines).toContain('messages.count,type=support;sender_role=system,2030-01-01,6');
    expect(lines).toContain('delivery_latency.p90_ms,,,240250');
  });

  it('prints an aligned table by default', async () => {
    const { code, stdout } = await run(['--from', '2030-01-01', '--to', '2030-01-15']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^metric\s+dimension\s+bucket\s+value$/);
    expect(lines).toContainEqual(expect.stringMatching(/^support\.csat\.average\s+3$/));
    expect(lines).toContainEqual(expect.stringMatching(/^messages\.count\s+type=general;sender_role=member\s+2030-01-07\s+2$/));
  });

  it('explains a range that ends before it starts and exits 2', async () => {
    const { code, stdout, stderr } = await run(['--from', '2030-01-15', '--to', '2030-01-01']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim()).toBe('error: --from must be before to');
  });

  it('exits 2 on an unknown format, an unknown bucket, an unparsable instant and an unknown option', async () => {
    const [format, bucket, instant, option] = await Promise.all([run(['--format', 'xml']), run(['--group-by', 'year']), run(['--to', 'soon']), run(['--bogus'])]);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("argument 'xml' is invalid. Allowed choices are table, json, csv.");
    expect(bucket).toMatchObject({ code: 2, stderr: 'error: --group-by must be one of day, week, month\n' });
    expect(instant).toMatchObject({ code: 2, stderr: 'error: --to must be an ISO-8601 date or instant with a zone, e.g. 2030-01-01 or 2030-01-01T00:00:00Z\n' });
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("error: unknown option '--bogus'");
  });

  it('describes itself with --help and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: switchboard analytics [options]');
    expect(stdout).toContain('--format <format>');
    expect(stdout).toContain('Exit codes: 0 printed, 1 the store failed, 2 bad arguments.');
  });
});
