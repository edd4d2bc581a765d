import { sql, type InsertResult, type Kysely, type Selectable } from 'kysely';
import type { Json } from '../../core/model.js';
import type { Database, JobsTable } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import type { Job, NewJob, OutboxRepository } from '../store.js';
import { COLUMNS } from './columns.js';
import { arg, PreparedQuery } from './prepared-query.js';
import { now } from './rows.js';

const toJob = (row: Selectable<JobsTable>): Job => ({
  id: row.id,
  kind: row.kind,
  subjectId: row.subject_id,
  payload: JSON.parse(row.payload) as Json,
  runAt: row.run_at,
  attempts: Number(row.attempts),
  lockedUntil: row.locked_until,
  lastError: row.last_error,
  createdAt: row.created_at,
  completedAt: row.completed_at,
  failedAt: row.failed_at,
});

/** Whether a job row is still owed: neither completed nor failed. */
const OWED = sql`jobs.completed_at is null and jobs.failed_at is null`;

/**
 * What writing a coalesced job does when its row exists (docs/jobs.md, "Coalesced jobs"): a
 * settled one is owed again from the new `run_at`; a claimed one is marked to run again, from
 * the new `run_at`, when this run ends (it may have read its subject before this change
 * committed); an owed, unclaimed one is left as it is, unwritten, since its run will see this
 * change. One place for both the outbox's own insert and the message append's statement on
 * PostgreSQL.
 */
export const COALESCE_ON_CONFLICT = sql`on conflict (id) do update set
    rerun = case when ${OWED} then 1 else 0 end,
    run_at = excluded.run_at,
    attempts = case when ${OWED} then jobs.attempts else 0 end,
    completed_at = null,
    failed_at = null
  where not (${OWED}) or (jobs.locked_until is not null and jobs.rerun = 0)`;

export class KyselyOutboxRepository implements OutboxRepository {
  /** The insert runs inside message appends (the send path); compiled once (see PreparedQuery). */
  private readonly insertJob: PreparedQuery<InsertResult>;
  private readonly insertCoalesced: PreparedQuery<unknown>;
  /** A runner claims and completes through these for every job it runs. */
  private readonly runner: ReturnType<typeof runnerStatements>;

  constructor(private readonly adapter: DialectAdapter) {
    this.runner = runnerStatements(adapter);
    this.insertJob = new PreparedQuery(adapter, (db) =>
      db
        .insertInto('jobs')
        .values({
          id: arg(0),
          kind: arg(1),
          subject_id: arg(2),
          payload: arg(3),
          run_at: arg(4),
          attempts: 0,
          locked_until: null,
          last_error: null,
          created_at: arg(5),
          completed_at: null,
          failed_at: null,
          rerun: 0,
        })
        .onConflict((oc) => oc.column('id').doNothing()),
    );
    this.insertCoalesced = new PreparedQuery(adapter, (db) => ({
      compile: () =>
        sql`insert into jobs (id, kind, subject_id, payload, run_at, attempts, locked_until, last_error, created_at, completed_at, failed_at, rerun)
          values (${arg(0)}, ${arg(1)}, ${arg(2)}, ${arg(3)}, ${arg(4)}, 0, null, null, ${arg(5)}, null, null, 0)
          ${COALESCE_ON_CONFLICT}`.compile(db),
    }));
  }

  private get db(): Kysely<Database> {
    return this.adapter.db;
  }

  async enqueue(jobs: readonly NewJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.db.transaction().execute((trx) => this.enqueueIn(trx, jobs));
  }

  /**
   * {@link enqueue} inside the caller's transaction, so the jobs commit or roll back with its
   * change; `createdAt` lets them carry the change's own timestamp.
   */
  async enqueueIn(trx: Kysely<Database>, jobs: readonly NewJob[], createdAt: string = now()): Promise<void> {
    for (const job of jobs) {
      const args = [job.id, job.kind, job.subjectId, JSON.stringify(job.payload ?? {}), job.runAt ?? createdAt, createdAt];
      await (job.coalesce === true ? this.insertCoalesced : this.insertJob).execute(trx, args);
    }
  }

  async claimDue(limit: number, leaseMs: number, at: Date = new Date()): Promise<Job[]> {
    const instant = at.toISOString();
    const leaseEnd = new Date(at.getTime() + leaseMs).toISOString();
    // A claim lost to a power cut only lets the job be claimed again: it need not wait for the disk.
    const { rows } = await this.adapter.bookkeeping((trx) => this.runner.claim.execute(trx, [leaseEnd, instant, limit]));
    return rows.map(toJob).sort((a, b) => a.runAt.localeCompare(b.runAt) || a.id.localeCompare(b.id));
  }

  async complete(id: string): Promise<string | undefined> {
    // Undone by a power cut, a completion only makes the (idempotent) job run once more.
    const { rows } = await this.adapter.bookkeeping((trx) => this.runner.complete.execute(trx, [now(), id]));
    const row = rows[0];
    return row !== undefined && row.completed_at === null ? row.run_at : undefined;
  }

  async retryLater(id: string, runAt: string, error: string): Promise<void> {
    // The retry reads the subject anew, so a wish to run again is met by it.
    await this.settle(id, { run_at: runAt, last_error: error, locked_until: null, rerun: 0 });
  }

  async fail(id: string, error: string): Promise<void> {
    await this.settle(id, { failed_at: now(), last_error: error, locked_until: null });
  }

  /** Every settlement applies only to a job still owed, so a late report cannot undo a final one. */
  private async settle(id: string, patch: Partial<Omit<JobsTable, 'id'>>): Promise<void> {
    await this.adapter.bookkeeping((trx) => trx.updateTable('jobs').set(patch).where('id', '=', id).where('completed_at', 'is', null).where('failed_at', 'is', null).execute());
  }

  async byId(id: string): Promise<Job | undefined> {
    const row = await this.db.selectFrom('jobs').select(COLUMNS.jobs).where('id', '=', id).executeTakeFirst();
    return row && toJob(row);
  }

  async counts(): Promise<{ pending: number; failed: number }> {
    const row = await this.db
      .selectFrom('jobs')
      .select((eb) => [
        eb.fn.countAll<number>().filterWhere('completed_at', 'is', null).filterWhere('failed_at', 'is', null).as('pending'),
        eb.fn.countAll<number>().filterWhere('failed_at', 'is not', null).as('failed'),
      ])
      .executeTakeFirstOrThrow();
    return { pending: Number(row.pending), failed: Number(row.failed) };
  }
}

function runnerStatements(adapter: DialectAdapter) {
  return {
    // Arguments: the lease's end, now, how many at most.
    claim: new PreparedQuery(adapter, (db) => {
      let due = db
        .selectFrom('jobs')
        .select('id')
        .where('completed_at', 'is', null)
        .where('failed_at', 'is', null)
        .where('run_at', '<=', arg(1))
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', arg(1))]))
        .orderBy('run_at')
        .limit(arg<number>(2));
      // Rows another claimer holds are skipped, not waited for: it owns them until its commit, and
      // re-reading them afterwards would find their lease taken anyway.
      if (adapter.skipLocked) due = due.forUpdate().skipLocked();
      return db
        .updateTable('jobs')
        .set((eb) => ({ locked_until: arg(0), attempts: eb('attempts', '+', 1) }))
        .where('id', 'in', due)
        .returning(COLUMNS.jobs);
    }),
    // Asked for again while it ran: owed again from the `run_at` that asked, with a fresh count
    // of attempts, instead of done. Arguments: now, the job's id.
    complete: new PreparedQuery(adapter, (db) => {
      const again = sql<boolean>`jobs.rerun = 1`;
      return db
        .updateTable('jobs')
        .set({
          completed_at: sql`case when ${again} then null else ${arg(0)} end`,
          attempts: sql`case when ${again} then 0 else jobs.attempts end`,
          rerun: 0,
          locked_until: null,
        })
        .where('id', '=', arg(1))
        .where('completed_at', 'is', null)
        .where('failed_at', 'is', null)
        .returning(['completed_at', 'run_at']);
    }),
  };
}
