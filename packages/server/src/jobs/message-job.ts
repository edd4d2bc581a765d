import type { AccessFacts } from '../storage/store.js';
import type { JobHandler } from './job-handler.js';

/** What a planner knows of the conversation: what the sender's access check already read. */
export type PlannedConversation = AccessFacts['conversation'];

/** What a planner knows of the message about to be written. */
export interface PlannedMessage {
  readonly senderId: string;
  readonly kind: string;
}

/**
 * A side effect a committed message may owe (a stamp, a webhook, a notification), declared by
 * the feature that owns it. `MessageService` asks `needs` before the append and writes a job of
 * `kind` for the message in the append's own transaction; the job runner then calls `handle`.
 * @example
 * const firstResponse: MessageJob = {
 *   kind: 'support.first_response',
 *   needs: (conversation, message) => conversation.type === 'support' && message.senderId !== conversation.createdBy,
 *   handle: async (job) => { ... },
 * };
 */
export interface MessageJob {
  /** `feature.effect`, unique among all job kinds: the id of each job is `${messageId}:${kind}`. */
  readonly kind: string;
  /**
   * One job per conversation instead of one per message (see `NewJob.coalesce`): its id is
   * `${conversationId}:${kind}`, its subject the conversation, due `delayMs(conversation)` after
   * the first message that finds none owed (decided like `needs`: no I/O); every message written
   * until it runs joins that run, so the handler reads the conversation's new messages itself.
   * For effects whose cost grows with the number of runs (the escalation schedule) rather than
   * with what each message carries.
   */
  readonly coalesce?: { readonly delayMs: (conversation: PlannedConversation) => number };
  /**
   * Whether this message owes the job. Decided from the arguments alone (no I/O, never throws):
   * it runs on the send path, before anything is written.
   */
  needs(conversation: PlannedConversation, message: PlannedMessage): boolean;
  /** Runs the job; idempotent (see {@link JobHandler}). */
  readonly handle: JobHandler;
}
