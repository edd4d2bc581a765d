import type { Json } from '../core/model.js';
import type { NewJob } from '../storage/store.js';

/** A change as the outbox hears of it: what happened, to what, and what the subject will not say later. */
export interface Change {
  /** `message.updated`, `participant.added`… */
  readonly type: string;
  /** What it is about (a message or conversation id); handlers load current state from it. */
  readonly subjectId: string;
  /** What happened that the subject's state will not tell (who was added, which report). */
  readonly details?: Json;
}

/**
 * The outbox jobs a change owes beyond those of its own feature (webhook events), asked by the
 * service that makes the change and written in the change's transaction. Decided without I/O,
 * never throws: it runs before the write.
 * @example
 * const jobs = changeJobs.for({ type: 'message.updated', subjectId: message.id });
 * await store.messages.update(message.id, patch, jobs);
 */
export interface ChangeJobs {
  for(change: Change): NewJob[];
}

/** Owes nothing: for wiring without webhooks (tests of one feature). */
export const NO_CHANGE_JOBS: ChangeJobs = { for: () => [] };
