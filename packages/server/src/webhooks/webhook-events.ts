import type { Logger } from 'pino';
import type { Change, ChangeJobs } from '../jobs/change-jobs.js';
import type { JobHandler } from '../jobs/job-handler.js';
import type { MessageJob } from '../jobs/message-job.js';
import type { NewJob, Store } from '../storage/store.js';
import { timeOrderedId } from '../storage/time-ordered-id.js';

/** The outbox job of an event (other than a new message): its fan-out to the endpoints. */
export const EVENT_JOB_KIND = 'webhooks.event';
/** A new message's event, planned like every job a message owes (`MessageJob`). */
export const MESSAGE_CREATED_JOB_KIND = 'webhooks.message_created';

/**
 * How long another node's endpoint changes take to be seen here, in ms. Within it, events of a
 * type an endpoint has just subscribed to may not be written on this node; the node that made
 * the change sees it at once.
 */
export const SUBSCRIPTION_REFRESH_MS = 2000;

/**
 * Decides which changes owe a webhook event: those of a type at least one enabled endpoint
 * receives. The answer must come without I/O (it is asked on the send path), so the subscribed
 * types are kept in memory and reread every {@link SUBSCRIPTION_REFRESH_MS}, and at once after
 * this node changes an endpoint. With no endpoint, nothing is written: sends cost no extra row.
 */
export class WebhookEvents implements ChangeJobs {
  private types = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Pick<Store, 'webhooks'>,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  /** Rereads the subscribed types; a failure keeps the last ones (and is logged). */
  async refresh(): Promise<void> {
    try {
      this.types = new Set(await this.store.webhooks.subscribedTypes());
    } catch (err) {
      this.logger.warn({ err }, 'could not reread the webhook subscriptions; keeping the last ones');
    }
  }

  /** Rereads now and every {@link SUBSCRIPTION_REFRESH_MS}; resolves after the first read. */
  async start(): Promise<void> {
    this.timer ??= setInterval(() => void this.refresh(), SUBSCRIPTION_REFRESH_MS);
    this.timer.unref();
    await this.refresh();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Whether some endpoint receives events of `type`. */
  owes(type: string): boolean {
    return this.types.has(type);
  }

  for(change: Change): NewJob[] {
    if (!this.owes(change.type)) return [];
    // One change, one event: the id is new each time (an edit can happen many times).
    return [{ id: `${change.subjectId}:${EVENT_JOB_KIND}:${change.type}:${timeOrderedId()}`, kind: EVENT_JOB_KIND, subjectId: change.subjectId, payload: { type: change.type, ...(change.details !== undefined && { details: change.details }) } }];
  }

  /** The new-message event as a job every message may owe, written with the message. */
  messageJob(handle: JobHandler): MessageJob {
    return { kind: MESSAGE_CREATED_JOB_KIND, needs: () => this.owes('message.created'), handle };
  }
}
