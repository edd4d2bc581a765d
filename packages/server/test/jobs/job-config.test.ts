import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'switchboard-config-'));

describe('job runner configuration', () => {
  it('runs jobs on every node by default, polling every second, ten attempts per job', () => {
    expect(loadConfig({ DATA_DIR: tempDir() })).toMatchObject({ jobsEnabled: true, jobPollMs: 1000, jobMaxAttempts: 10 });
  });

  it('reads JOBS_ENABLED, JOB_POLL_MS and JOB_MAX_ATTEMPTS from the environment', () => {
    expect(loadConfig({ DATA_DIR: tempDir(), JOBS_ENABLED: 'false', JOB_POLL_MS: '250', JOB_MAX_ATTEMPTS: '3' })).toMatchObject({ jobsEnabled: false, jobPollMs: 250, jobMaxAttempts: 3 });
  });

  it('lists every bad job setting at once', () => {
    const error = (() => {
      try {
        loadConfig({ DATA_DIR: tempDir(), JOBS_ENABLED: 'maybe', JOB_POLL_MS: 'soon', JOB_MAX_ATTEMPTS: '0' });
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'JOBS_ENABLED: expected true or false, got "maybe"',
      'JOB_POLL_MS: expected an integer from 10 to 600000, got "soon"',
      'JOB_MAX_ATTEMPTS: expected an integer from 1 to 1000, got "0"',
    ]);
  });
});
