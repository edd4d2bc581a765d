import type { Logger } from 'pino';
import type { Config } from '../core/config.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { MessageJob } from '../jobs/message-job.js';
import type { AfterCommitPublisher } from '../messages/after-commit-publisher.js';
import type { Policy } from '../policy/policy.js';
import type { NewJob, NotificationChannelName, Store } from '../storage/store.js';
import { EmailChannel } from './email-channel.js';
import { EscalationPlan, STEP_JOB } from './escalation-plan.js';
import { escalationScheduleJob, LEGACY_SCHEDULE_JOB, legacyScheduleJob } from './escalation-schedule.job.js';
import { escalationStepJob } from './escalation-step.job.js';
import { EscalationWebhookChannel } from './escalation-webhook-channel.js';
import type { NotificationChannel } from './notification-channel.js';
import { CLEAR_JOB, clearJobFor, notificationClearJob } from './notification-clear.job.js';
import type { NotificationDeps, NotificationOutcomeListener } from './notification-deps.js';
import { NotificationService } from './notification.service.js';
import { PushChannel } from './push-channel.js';
import { UnsubscribeLink } from './unsubscribe-link.js';
import { vapidKeys } from './vapid-keys.js';

export interface Notifications {
  readonly service: NotificationService;
  /** Written with each message: schedules escalation for its recipients. */
  readonly messageJob: MessageJob;
  /** The jobs a read pointer's move owes (ending the feed entries it covers, the clear push). */
  readJobs(conversationId: string, userId: string, seq: number): NewJob[];
  /** Registers the step and clear handlers (the message job is registered with the others). */
  register(jobs: JobRunner): void;
  /** Counts each step's outcome and latency. */
  onOutcome(listener: NotificationOutcomeListener): void;
  close(): void;
}

/** Builds the notification feature: channels, the escalation plan, its jobs and the service. */
export function createNotifications(options: { config: Config; store: Store; policy: Policy; publisher: AfterCommitPublisher; logger: Logger }): Notifications {
  const { config, store, logger } = options;
  const keys = vapidKeys(config);
  if (!keys) logger.warn('web push is off: nodes sharing DATABASE_URL need VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY set alike');
  const unsubscribe = new UnsubscribeLink(config.jwtSecret, config.publicUrl);
  const push = new PushChannel(store.notifications, keys, logger);
  const email = new EmailChannel(config.smtpUrl, config.emailFrom, unsubscribe, store.users);
  const channels = new Map<NotificationChannelName, NotificationChannel>([
    ['push', push],
    ['email', email],
    ['sms_webhook', new EscalationWebhookChannel(config.escalationWebhookUrl, config.escalationWebhookSecret)],
  ]);
  const deps: NotificationDeps = { store, plan: new EscalationPlan(options.policy, config), channels, push, publisher: options.publisher, logger, publicUrl: config.publicUrl, now: Date.now, outcome: () => {} };
  return {
    service: new NotificationService(store.notifications, options.publisher, unsubscribe, keys?.publicKey),
    messageJob: escalationScheduleJob(deps),
    readJobs: (conversationId, userId) => [clearJobFor(conversationId, userId)],
    register(jobs) {
      jobs.register(STEP_JOB, escalationStepJob(deps));
      jobs.register(LEGACY_SCHEDULE_JOB, legacyScheduleJob(deps));
      jobs.register(CLEAR_JOB, notificationClearJob(deps));
    },
    onOutcome(listener) {
      deps.outcome = listener;
    },
    close: () => email.close(),
  };
}
