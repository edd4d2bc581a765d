import type { Logger } from 'pino';
import type { Config } from '../core/config.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { MessageJob } from '../jobs/message-job.js';
import type { Policy } from '../policy/policy.js';
import type { Store } from '../storage/store.js';
import { PreSendHook } from './pre-send-hook.js';
import { DELIVERY_JOB_KIND, webhookDeliveryJob } from './webhook-delivery.job.js';
import { EVENT_JOB_KIND, WebhookEvents } from './webhook-events.js';
import { webhookFanOutJob } from './webhook-fan-out.job.js';
import { WebhookService } from './webhook.service.js';

export { WebhookService } from './webhook.service.js';
export { WebhookEvents } from './webhook-events.js';
export type { PreSendCheck } from './pre-send-hook.js';
export { webhookRoutes } from './webhook.routes.js';

export interface Webhooks {
  readonly service: WebhookService;
  /** Which changes owe an event; services ask it before each write. */
  readonly events: WebhookEvents;
  /** A new message's event, one of the jobs a message may owe. */
  readonly messageJob: MessageJob;
  /** The pre-send hook, when PRE_SEND_HOOK_URL is set. */
  readonly preSend: PreSendHook | undefined;
  /** Registers the fan-out and delivery jobs with this node's runner (none on an API-only node). */
  registerJobs(runner: JobRunner | undefined): void;
  /** Reads the subscriptions, then keeps rereading them. */
  start(): Promise<void>;
  stop(): void;
}

/** The webhooks feature, wired for a configuration. */
export function createWebhooks(deps: { config: Config; store: Store; policy: Policy; logger: Logger; jobsWritten: () => void }): Webhooks {
  const { config, store, logger } = deps;
  const events = new WebhookEvents(store, logger);
  const fanOut = webhookFanOutJob(store, deps.jobsWritten);
  const messageJob = events.messageJob(fanOut);
  return {
    service: new WebhookService(store, deps.policy, events, { allowPrivate: config.webhookAllowPrivate, jobsWritten: deps.jobsWritten }),
    events,
    messageJob,
    preSend:
      config.preSendHookUrl === undefined
        ? undefined
        : new PreSendHook({ url: config.preSendHookUrl, secret: config.preSendHookSecret!, timeoutMs: config.preSendHookTimeoutMs, failure: config.preSendHookFailure, logger }),
    registerJobs(runner) {
      runner?.register(EVENT_JOB_KIND, fanOut);
      runner?.register(DELIVERY_JOB_KIND, webhookDeliveryJob(store, { schedule: config.webhookRetrySchedule, timeoutMs: config.webhookTimeoutMs, allowPrivate: config.webhookAllowPrivate, maxInFlight: config.webhookMaxInFlight, logger }));
    },
    start: () => events.start(),
    stop: () => events.stop(),
  };
}
