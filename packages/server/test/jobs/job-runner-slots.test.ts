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

describe('JobRunner and the event loop', () => {
  const t = useTestStore('sqlite');

  it('lets timers and I/O run between any two jobs, however many are due and however little each waits', async () => {
    // Handlers whose work is synchronous (SQLite statements are) chain through promise
    // callbacks alone; without a turn of the loop between jobs, a backlog of them holds every
    // socket read and timer until the last one is done.
    const runner = new JobRunner(t.store.outbox, { pollMs: 600_000, maxAttempts: 10, batchSize: 20, logger: recordingLogger() });
    let ran = 0;
    runner.register('test.busy', async () => {
      const until = performance.now() + 2;
      while (performance.now() < until);
      ran++;
    });
    const due = new Date(Date.now() - 1000).toISOString();
    await t.store.outbox.enqueue(Array.from({ length: 60 }, (_, i) => ({ id: `busy-${i}`, kind: 'test.busy', subjectId: `s-${i}`, runAt: due })));
    // A timer that fires on every turn of the loop records how many jobs had run by then.
    const seen: number[] = [];
    let probing = true;
    const probe = () => {
      seen.push(ran);
      if (probing) setTimeout(probe, 0);
    };
    setTimeout(probe, 0);
    runner.nudge();
    try {
      await eventually(async () => (await t.store.outbox.counts()).pending === 0, 10_000, 'every job completed', 10);
      probing = false;
      expect(ran).toBe(60);
      const mostBetweenTimers = Math.max(...seen.slice(1).map((n, i) => n - seen[i]!));
      // One job per turn (two where a turn's timers came due just before the poll).
      expect(mostBetweenTimers).toBeLessThanOrEqual(2);
    } finally {
      probing = false;
      await runner.stop();
    }
  });
});

describe('JobRunner claims', () => {
  const t = useTestStore('sqlite');

  it('refills its slots through a backlog in claims of many jobs, not one claim per job that ends', async () => {
    let claims = 0;
    const outbox = t.store.outbox;
    const counted = Object.assign(Object.create(outbox) as typeof outbox, {
      claimDue: (...args: Parameters<typeof outbox.claimDue>) => {
        claims++;
        return outbox.claimDue(...args);
      },
    });
    const runner = new JobRunner(counted, { pollMs: 600_000, maxAttempts: 10, batchSize: 20, logger: recordingLogger() });
    let ran = 0;
    runner.register('test.quick', async () => {
      ran++;
    });
    const due = new Date(Date.now() - 1000).toISOString();
    await t.store.outbox.enqueue(Array.from({ length: 100 }, (_, i) => ({ id: `quick-${i}`, kind: 'test.quick', subjectId: `s-${i}`, runAt: due })));
    runner.nudge();
    try {
      await eventually(async () => (await t.store.outbox.counts()).pending === 0, 10_000, 'every job completed', 10);
      expect(ran).toBe(100);
      // 20 first, then 10 each time half the slots are free: 9 claims, and one that finds none.
      expect(claims).toBeLessThanOrEqual(12);
    } finally {
      await runner.stop();
    }
  });
});
