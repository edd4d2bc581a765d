import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clamdAddress } from '../../src/attachments/scanning/clamd-address.js';
import { ConfigError, loadConfig } from '../../src/core/config.js';

const env = (vars: Record<string, string>) => ({ DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-scan-config-')), ...vars });

/** The problems `loadConfig` lists for the variables, or none. */
function problemsOf(vars: Record<string, string>): readonly string[] {
  try {
    loadConfig(env(vars));
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

describe('virus scanning settings', () => {
  it('scans nothing by default: no clamd, and the documented defaults', () => {
    expect(loadConfig(env({}))).toMatchObject({ clamdUrl: undefined, scanMode: 'required', clamdTimeoutMs: 30_000 });
  });

  it('fails closed by default once CLAMD_URL is set', () => {
    expect(loadConfig(env({ CLAMD_URL: 'tcp://127.0.0.1:3310' }))).toMatchObject({ clamdUrl: 'tcp://127.0.0.1:3310', scanMode: 'required' });
    expect(loadConfig(env({ CLAMD_URL: 'unix:///var/run/clamav/clamd.ctl', SCAN_MODE: 'best_effort', CLAMD_TIMEOUT_MS: '5000' }))).toMatchObject({ scanMode: 'best_effort', clamdTimeoutMs: 5000 });
  });

  it('lists every scanning problem at once', () => {
    expect(problemsOf({ CLAMD_URL: 'http://clamd:3310', SCAN_MODE: 'maybe', CLAMD_TIMEOUT_MS: '90000' })).toEqual([
      'CLAMD_URL: expected a tcp: or unix: URL, got "http:"',
      'SCAN_MODE: expected one of required, best_effort, got "maybe"',
      'CLAMD_TIMEOUT_MS: expected an integer from 100 to 50000, got "90000"',
    ]);
  });

  it('refuses a clamd address it could not dial', () => {
    expect(problemsOf({ CLAMD_URL: 'tcp://127.0.0.1' })).toEqual(['CLAMD_URL: expected tcp://host:port, e.g. tcp://127.0.0.1:3310']);
    expect(problemsOf({ CLAMD_URL: 'unix:///' })).toEqual(['CLAMD_URL: expected unix:///path/to/clamd.ctl']);
  });

  it('refuses SCAN_MODE without CLAMD_URL rather than silently scanning nothing', () => {
    expect(problemsOf({ SCAN_MODE: 'required' })).toEqual(['SCAN_MODE: has no effect without CLAMD_URL (uploads would not be scanned at all)']);
  });

  it('dials TCP and Unix-socket addresses', () => {
    expect(clamdAddress('tcp://127.0.0.1:3310')).toEqual({ host: '127.0.0.1', port: 3310 });
    expect(clamdAddress('tcp://[::1]:3310')).toEqual({ host: '::1', port: 3310 });
    expect(clamdAddress('unix:///var/run/clamav/clamd.ctl')).toEqual({ path: '/var/run/clamav/clamd.ctl' });
  });
});
