import type { Job } from '../storage/store.js';

/**
 * Runs one outbox job of the kind it is registered for. Resolving completes the job; rejecting
 * schedules a retry (with backoff) until its attempts run out, then keeps it as a dead letter.
 *
 * Handlers must be idempotent: delivery is at least once. A node that dies after the handler's
 * effect but before the job is marked complete leaves its claim to expire, and another run
 * repeats the effect. Load current state from `job.subjectId` rather than trusting a snapshot,
 * and finish well within the runner's lease (60 s by default), after which another node may
 * start the same job.
 * @example
 * const stamp: JobHandler = async (job) => {
 *   const message = await store.messages.byId(job.subjectId);
 *   if (message) await store.cases.recordFirstResponse(message.conversationId, message.createdAt);
 * };
 */
export type JobHandler = (job: Job) => Promise<void>;
