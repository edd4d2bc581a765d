import type { Logger } from 'pino';
import type { Job, OutboxRepository } from '../storage/store.js';
import type { JobHandler } from './job-handler.js';
import { DEFAULT_BACKOFF, retryDelayMs, type RetryBackoff } from './retry-delay.js';
import { RetryIn } from './retry-in.js';

/** How a run of a job ended: done, due again later, or given up as a dead letter. */
export type JobOutcome = 'completed' | 'retried' | 'failed';

export type JobOutcomeListener = (kind: string, outcome: JobOutcome) => void;

export interface JobRunnerOptions {
  /** How often to look for due jobs, in ms. */
  readonly pollMs: number;
  /** Runs of a job before it is failed for good. */
  readonly maxAttempts: number;
  /** How long a claim holds, in ms: a job claimed by a node that died runs again after it. @default 60000 */
  readonly leaseMs?: number;
  /** Jobs run at once on this node (the slots the poll loop keeps filled), and claimed per `runOnce`. @default 20 */
  readonly batchSize?: number;
  /** The retry schedule. @default DEFAULT_BACKOFF (1 s doubling, capped at 5 min) */
  readonly backoff?: RetryBackoff;
  readonly logger: Pick<Logger, 'warn' | 'error'>;
  /** The clock, in epoch ms; tests pass their own. @default Date.now */
  readonly now?: () => number;
  /** Uniform in [0, 1), for the retry jitter. @default Math.random */
  readonly random?: () => number;
}

/**
 * Lets one waiter go per turn of the event loop. A job whose store calls settle as promise
 * callbacks (SQLite runs statements synchronously) runs start to finish once it starts; jobs let
 * go by one `setImmediate` each would still run back to back in one check phase. One per turn
 * puts the poll phase (socket reads, the next group commit) between any two of them.
 */
class TurnQueue {
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  next(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    // Scheduled from inside a check-phase callback, the next one runs in the next turn.
    setImmediate(() => {
      this.scheduled = false;
      this.waiting.shift()!();
      this.schedule();
    });
  }
}

/** Longest error text kept on a job; stack traces belong in the log. */
const MAX_ERROR_LENGTH = 2000;

/**
 * Runs the outbox: claims due jobs in batches, runs each with the handler of its kind, and
 * settles it: complete on success; on failure due again after a backoff, or failed (a dead
 * letter) once `maxAttempts` runs have failed. It polls every `pollMs`, and `nudge()` starts a
 * round at once (after a local commit that wrote jobs). Every node may run one: claims are
 * exclusive under a lease, so each job runs on one node at a time.
 * @example
 * const runner = new JobRunner(store.outbox, { pollMs: 1000, maxAttempts: 10, logger });
 * runner.register('support.first_response', handler);
 * runner.start();
 * await runner.stop(); // waits for running handlers
 */
export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly turns = new TurnQueue();
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly backoff: RetryBackoff;
  private readonly now: () => number;
  private readonly random: () => number;
  private outcomeListener: JobOutcomeListener = () => {};
  private timer: NodeJS.Timeout | undefined;
  /** The round in progress; rounds never overlap on one node. */
  private draining: Promise<void> | undefined;
  /** Set by a nudge during a round, so another round follows instead of waiting for the poll. */
  private wanted = false;
  private stopped = false;
  /** Jobs started by the poll loop and not settled yet; at most `batchSize`. */
  private readonly running = new Set<Promise<void>>();
  /** The last round found every slot taken, so jobs that end should start the next one. */
  private saturated = false;
  /** Slots still taken when a saturated runner claims again: half of them (see `track`). */
  private readonly refillAt: number;
  /** The pending delayed nudge (see `nudge`). */
  private delayed: { readonly at: number; readonly timer: NodeJS.Timeout } | undefined;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly options: JobRunnerOptions,
  ) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.batchSize = options.batchSize ?? 20;
    this.refillAt = Math.floor(this.batchSize / 2);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Makes `handler` run the jobs of `kind`. A kind has one handler. */
  register(kind: string, handler: JobHandler): this {
    if (this.handlers.has(kind)) throw new Error(`job kind "${kind}" already has a handler`);
    this.handlers.set(kind, handler);
    return this;
  }

  /** Tells `listener` how every run ended (for metrics); replaces the previous listener. */
  onOutcome(listener: JobOutcomeListener): void {
    this.outcomeListener = listener;
  }

  /** Polls every `pollMs`, starting with a round now (jobs left by a previous process). */
  start(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setInterval(() => this.nudge(), this.options.pollMs);
    this.timer.unref();
    this.nudge();
  }

  /**
   * Starts a round now, or right after the one in progress; with `delayMs`, once that has passed
   * (a coalesced job written just now falls due then). Delayed nudges share one timer, set for
   * the earliest: a job due later is found by the round it starts, a later nudge or the poll.
   */
  nudge(delayMs = 0): void {
    if (this.stopped) return;
    if (delayMs > 0) {
      const at = this.now() + delayMs;
      if (this.delayed !== undefined && this.delayed.at <= at) return;
      clearTimeout(this.delayed?.timer);
      const timer = setTimeout(() => {
        this.delayed = undefined;
        this.nudge();
      }, delayMs);
      timer.unref();
      this.delayed = { at, timer };
      return;
    }
    this.wanted = true;
    // Cleared once the round has ended, never before it is stored: a round that finds every slot
    // taken ends without waiting for anything.
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Stops polling and resolves once the handlers running now have finished and been settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.delayed?.timer);
    await this.draining;
    await Promise.all([...this.running]);
  }

  /**
   * One round: claims up to a batch of due jobs, runs them concurrently and settles each.
   * Resolves how many were claimed, once all of them are settled. For tests and tools; the
   * poll loop keeps its slots filled instead (see `drain`).
   */
  async runOnce(): Promise<number> {
    const jobs = await this.outbox.claimDue(this.batchSize, this.leaseMs, new Date(this.now()));
    await Promise.all(jobs.map((job) => this.run(job)));
    return jobs.length;
  }

  /**
   * Claims as many due jobs as there are free slots and starts them without waiting for them:
   * a slow job (a receiver taking its whole timeout) holds one slot, never the next claim. When
   * the slots were all taken, the job that frees half of them starts another round.
   */
  private async drain(): Promise<void> {
    while (this.wanted && !this.stopped) {
      this.wanted = false;
      const free = this.batchSize - this.running.size;
      this.saturated = free <= 0;
      if (this.saturated) return;
      const jobs = await this.outbox.claimDue(free, this.leaseMs, new Date(this.now())).catch((err: unknown) => {
        // The store is unreachable, most likely: the next poll tries again.
        this.options.logger.warn({ err }, 'could not claim outbox jobs');
        return [];
      });
      for (const job of jobs) this.track(this.run(job));
      // As many as asked for suggests more are due: keep going rather than wait for the poll.
      if (jobs.length === free) this.wanted = true;
    }
  }

  private track(running: Promise<void>): void {
    this.running.add(running);
    void running.finally(() => {
      this.running.delete(running);
      // A claim is a transaction: through a backlog, one per job that ends would cost as much as
      // a short job does. Claiming for half the slots at once keeps the rest busy meanwhile.
      if (this.saturated && this.running.size <= this.refillAt) this.nudge();
    });
  }

  private async run(job: Job): Promise<void> {
    // A burst of due jobs must not hold every socket read and timer until its last job is done.
    await this.turns.next();
    let outcome: JobOutcome;
    try {
      outcome = await this.attempt(job);
    } catch (err) {
      // The job ran (or failed) but its outcome was not recorded: its lease expires and it runs again.
      this.options.logger.warn({ err, jobId: job.id, kind: job.kind }, 'could not record the outcome of an outbox job; it runs again after its lease');
      return;
    }
    try {
      this.outcomeListener(job.kind, outcome);
    } catch (err) {
      this.options.logger.warn({ err }, 'job outcome listener failed');
    }
  }

  /** Runs the handler and records the outcome in the outbox. */
  private async attempt(job: Job): Promise<JobOutcome> {
    const handler = this.handlers.get(job.kind);
    try {
      // An unknown kind is retried like any failure: during a rolling upgrade, a newer node may know it.
      if (!handler) throw new Error(`no handler is registered for job kind "${job.kind}"`);
      await handler(job);
    } catch (err) {
      return this.afterFailure(job, err);
    }
    // A coalesced job asked for again while it ran is owed again: run it when due, not at the poll.
    const dueAgain = await this.outbox.complete(job.id);
    if (dueAgain !== undefined) this.nudge(Math.max(0, Date.parse(dueAgain) - this.now()));
    return 'completed';
  }

  private async afterFailure(job: Job, err: unknown): Promise<JobOutcome> {
    const error = (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_LENGTH);
    const context = { err, jobId: job.id, kind: job.kind, subjectId: job.subjectId, attempts: job.attempts };
    if (err instanceof RetryIn) {
      // The handler keeps its own schedule and its own limit.
      await this.outbox.retryLater(job.id, new Date(this.now() + err.delayMs).toISOString(), error);
      return 'retried';
    }
    if (job.attempts >= this.options.maxAttempts) {
      await this.outbox.fail(job.id, error);
      this.options.logger.error(context, 'outbox job failed for good; kept as a dead letter');
      return 'failed';
    }
    const delayMs = retryDelayMs(job.attempts, this.random, this.backoff);
    await this.outbox.retryLater(job.id, new Date(this.now() + delayMs).toISOString(), error);
    this.options.logger.warn({ ...context, retryInMs: delayMs }, 'outbox job failed; retrying later');
    return 'retried';
  }
}
