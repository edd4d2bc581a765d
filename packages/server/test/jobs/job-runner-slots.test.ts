import { describe, expect, it } from 'vitest';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { eventually } from '../support/cluster.js';
import { useTestStore } from '../store/use-test-store.js';
import { recordingLogger } from './recording-logger.js';

describe('JobRunner slots', () => {
  const t = useTestStore('sqlite');

  it('keeps claiming as slots free up after every slot was taken, without waiting for the poll', async () => {
    const runner = new JobRunner(t.store.outbox, { pollMs: 600_000, maxAttempts: 10, batchSize: 2, logger: recordingLogger() });
    const gates: (() => void)[] = [];
    const started: string[] = [];
    runner.register('test.held', (job) => {
      started.push(job.id);
      return new Promise<void>((resolve) => gates.push(resolve));
    });
    await t.store.outbox.enqueue(['j-1', 'j-2', 'j-3', 'j-4', 'j-5'].map((id) => ({ id, kind: 'test.held', subjectId: id, runAt: new Date(Date.now() - 1000).toISOString() })));
    runner.start();
    try {
      await eventually(async () => started.length === 2, 5000, 'both slots taken', 10);
      // Every slot is taken: a nudge now claims nothing, and must not leave the runner stuck.
      runner.nudge();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(started).toHaveLength(2);
      for (let done = 0; done < 5; done++) {
        await eventually(async () => gates.length > done, 5000, `job ${done + 1} started`, 10);
        gates[done]!();
      }
      await eventually(async () => (await t.store.outbox.counts()).pending === 0, 5000, 'every job completed', 10);
      expect(started.sort()).toEqual(['j-1', 'j-2', 'j-3', 'j-4', 'j-5']);
    } finally {
      for (const open of gates) open();
      await runner.stop();
    }
  });
});
