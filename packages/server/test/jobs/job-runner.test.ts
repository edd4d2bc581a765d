import { describe, expect, it } from 'vitest';
import { JobRunner, type JobOutcome, type JobRunnerOptions } from '../../src/jobs/job-runner.js';
import { retryDelayMs } from '../../src/jobs/retry-delay.js';
import type { Job, Store } from '../../src/storage/store.js';
import { eventually } from '../support/cluster.js';
import { dialects } from '../support/test-stores.js';
import { useTestStore } from '../store/use-test-store.js';
import { recordingLogger } from './recording-logger.js';

const LEASE_MS = 60_000;

/** A clock the test moves by hand. */
function manualClock(start = Date.now()) {
  let current = start;
  return { now: () => current, advance: (ms: number) => (current += ms) };
}

/** A runner over the store with a hand-moved clock and the largest jitter, so every delay is exact. */
function runnerFor(store: Store, options: Partial<JobRunnerOptions> = {}) {
  const clock = manualClock();
  const logger = recordingLogger();
  const outcomes: [string, JobOutcome][] = [];
  const runner = new JobRunner(store.outbox, { pollMs: 60_000, maxAttempts: 10, leaseMs: LEASE_MS, logger, now: clock.now, random: () => 1, ...options });
  runner.onOutcome((kind, outcome) => outcomes.push([kind, outcome]));
  return { runner, clock, logger, outcomes };
}

/** A handler that fails its first `failures` runs, recording every job it was given. */
function flakyHandler(failures: number) {
  const runs: Job[] = [];
  return {
    runs,
    handle: async (job: Job) => {
      runs.push(job);
      if (runs.length <= failures) throw new Error(`boom ${runs.length}`);
    },
  };
}

for (const dialect of dialects) {
  describe(`JobRunner on ${dialect}`, () => {
    const t = useTestStore(dialect);
    // Due a moment ago, so a runner whose clock started before the enqueue finds it due.
    const enqueue = (id: string, kind = 'test.flaky') => t.store.outbox.enqueue([{ id, kind, subjectId: 'subject-1', runAt: new Date(Date.now() - 1000).toISOString() }]);

    it('runs a coalesced job again at once when it was asked for during its run, and a delayed nudge when it falls due', async () => {
      // The poll is a minute away: only the runner's own nudges can start these runs.
      const { runner } = runnerFor(t.store, { now: Date.now });
      const job = (runAt: number) => ({ id: 'c-1:test.batch', kind: 'test.batch', subjectId: 'c-1', runAt: new Date(runAt).toISOString(), coalesce: true });
      const runs: number[] = [];
      runner.register('test.batch', async () => {
        runs.push(Date.now());
        // A change commits while the first run is under way.
        if (runs.length === 1) await t.store.outbox.enqueue([job(Date.now())]);
      });
      await t.store.outbox.enqueue([job(Date.now() + 150)]);
      runner.start();
      runner.nudge(200);
      try {
        await eventually(async () => runs.length === 2, 5_000, 'the second run');
        expect(await t.store.outbox.byId('c-1:test.batch')).toMatchObject({ completedAt: expect.any(String) });
      } finally {
        await runner.stop();
      }
    });

    it('completes a job whose handler fails twice and then succeeds, on its third attempt, each retry after its backoff', async () => {
      const { runner, clock, outcomes, logger } = runnerFor(t.store);
      const handler = flakyHandler(2);
      runner.register('test.flaky', handler.handle);
      await enqueue('j-1');

      expect(await runner.runOnce()).toBe(1);
      expect(await t.store.outbox.byId('j-1')).toMatchObject({ attempts: 1, lastError: 'boom 1', runAt: new Date(clock.now() + retryDelayMs(1, () => 1)).toISOString(), lockedUntil: null });
      // Not due before its backoff has passed.
      clock.advance(retryDelayMs(1, () => 1) - 1);
      expect(await runner.runOnce()).toBe(0);
      clock.advance(1);
      expect(await runner.runOnce()).toBe(1);
      expect(await t.store.outbox.byId('j-1')).toMatchObject({ attempts: 2, lastError: 'boom 2' });
      clock.advance(retryDelayMs(2, () => 1));
      expect(await runner.runOnce()).toBe(1);

      const job = (await t.store.outbox.byId('j-1'))!;
      expect(job).toMatchObject({ attempts: 3, failedAt: null, lockedUntil: null });
      expect(job.completedAt).not.toBeNull();
      expect(handler.runs.map((r) => r.attempts)).toEqual([1, 2, 3]);
      expect(outcomes).toEqual([['test.flaky', 'retried'], ['test.flaky', 'retried'], ['test.flaky', 'completed']]);
      expect(logger.lines.map((l) => [l.level, l.fields.jobId, l.fields.attempts])).toEqual([['warn', 'j-1', 1], ['warn', 'j-1', 2]]);
      expect(await runner.runOnce()).toBe(0);
    });

    it('fails a job for good once its attempts run out: a dead letter, logged as an error, never run again', async () => {
      const { runner, clock, outcomes, logger } = runnerFor(t.store, { maxAttempts: 3 });
      const handler = flakyHandler(Infinity);
      runner.register('test.flaky', handler.handle);
      await enqueue('j-1');
      for (let i = 0; i < 3; i++) {
        expect(await runner.runOnce()).toBe(1);
        clock.advance(300_000);
      }
      const job = (await t.store.outbox.byId('j-1'))!;
      expect(job).toMatchObject({ attempts: 3, lastError: 'boom 3', completedAt: null, lockedUntil: null });
      expect(job.failedAt).not.toBeNull();
      expect(outcomes.map(([, outcome]) => outcome)).toEqual(['retried', 'retried', 'failed']);
      const errors = logger.lines.filter((l) => l.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.fields).toMatchObject({ jobId: 'j-1', kind: 'test.flaky', attempts: 3 });
      clock.advance(10 * LEASE_MS);
      expect(await runner.runOnce()).toBe(0);
      expect(handler.runs).toHaveLength(3);
      expect(await t.store.outbox.counts()).toEqual({ pending: 0, failed: 1 });
    });

    it('retries a job of a kind it has no handler for, saying so', async () => {
      const { runner, outcomes } = runnerFor(t.store);
      await enqueue('j-1', 'test.unknown');
      expect(await runner.runOnce()).toBe(1);
      expect(await t.store.outbox.byId('j-1')).toMatchObject({ attempts: 1, lastError: 'no handler is registered for job kind "test.unknown"', completedAt: null, failedAt: null });
      expect(outcomes).toEqual([['test.unknown', 'retried']]);
    });

    it('runs a job claimed by a node that died once that claim’s lease has expired', async () => {
      const { runner, clock } = runnerFor(t.store);
      const handler = flakyHandler(0);
      runner.register('test.flaky', handler.handle);
      await enqueue('j-1');
      // The other node claimed it and then died without settling it.
      expect(await t.store.outbox.claimDue(10, LEASE_MS, new Date(clock.now()))).toHaveLength(1);
      expect(await runner.runOnce()).toBe(0);
      clock.advance(LEASE_MS);
      expect(await runner.runOnce()).toBe(1);
      expect(handler.runs.map((r) => r.attempts)).toEqual([2]);
      expect((await t.store.outbox.byId('j-1'))?.completedAt).not.toBeNull();
    });

    it('runs the jobs of different kinds with their own handlers', async () => {
      const { runner } = runnerFor(t.store);
      const [one, two] = [flakyHandler(0), flakyHandler(0)];
      runner.register('test.one', one.handle).register('test.two', two.handle);
      await enqueue('j-1', 'test.one');
      await enqueue('j-2', 'test.two');
      expect(await runner.runOnce()).toBe(2);
      expect([one.runs.map((r) => r.id), two.runs.map((r) => r.id)]).toEqual([['j-1'], ['j-2']]);
      expect(() => runner.register('test.one', one.handle)).toThrow(/already has a handler/);
    });

    it('picks up due jobs on its poll, and at once when nudged', async () => {
      const polling = new JobRunner(t.store.outbox, { pollMs: 20, maxAttempts: 10, logger: recordingLogger() });
      const polled = flakyHandler(0);
      polling.register('test.flaky', polled.handle);
      polling.start();
      try {
        await enqueue('j-1');
        await eventually(async () => (await t.store.outbox.byId('j-1'))?.completedAt, 5000, 'the polled job completed', 10);
      } finally {
        await polling.stop();
      }

      // Never started, so it has no poll: only the nudge can run the job.
      const nudged = new JobRunner(t.store.outbox, { pollMs: 60_000, maxAttempts: 10, logger: recordingLogger() });
      nudged.register('test.flaky', flakyHandler(0).handle);
      try {
        await enqueue('j-2');
        nudged.nudge();
        await eventually(async () => (await t.store.outbox.byId('j-2'))?.completedAt, 5000, 'the nudged job completed', 10);
      } finally {
        await nudged.stop();
      }
    });

    it('waits for the handlers running when it is stopped, and runs nothing afterwards', async () => {
      const runner = new JobRunner(t.store.outbox, { pollMs: 60_000, maxAttempts: 10, logger: recordingLogger() });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      runner.register('test.slow', async () => {
        started();
        await gate;
      });
      await enqueue('j-1', 'test.slow');
      runner.start();
      await running;
      let stopped = false;
      const stopping = runner.stop().then(() => (stopped = true));
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(stopped).toBe(false);
      release();
      await stopping;
      expect((await t.store.outbox.byId('j-1'))?.completedAt).not.toBeNull();
      await enqueue('j-2', 'test.slow');
      runner.nudge();
      expect(await t.store.outbox.byId('j-2')).toMatchObject({ attempts: 0 });
    });
  });
}
