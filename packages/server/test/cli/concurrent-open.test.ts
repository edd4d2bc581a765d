import { afterAll, describe, expect, it } from 'vitest';
import { runCli, scratchDir } from './run-cli.js';

const scratches: ReturnType<typeof scratchDir>[] = [];
afterAll(() => scratches.forEach((s) => s.remove()));

/**
 * Processes that open one fresh data directory at the same moment all migrate it. Each must
 * end as if it had been alone: here, the clean "no such conversation" of exit code 2, never a
 * failed migration (exit 1, "table … already exists").
 */
describe('commands opening one fresh store at once', { timeout: 120_000 }, () => {
  it('each migrates or finds it migrated, and answers as if alone', async () => {
    for (let round = 0; round < 5; round++) {
      const scratch = scratchDir('cli-concurrent');
      scratches.push(scratch);
      const runs = await Promise.all(Array.from({ length: 4 }, (_, i) => runCli(['export', '--conversation', `nope-${i}`], { DATA_DIR: scratch.path })));
      runs.forEach((run, i) => {
        expect({ round, i, code: run.code, stderr: run.stderr }).toEqual({ round, i, code: 2, stderr: expect.stringContaining(`no conversation with id nope-${i}`) });
      });
    }
  });
});
