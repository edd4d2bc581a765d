import type { Logger } from 'pino';
import type { AfterCommitPublisher } from '../messages/after-commit-publisher.js';
import type { Store } from '../storage/store.js';
import type { NotificationChannelName } from '../storage/store.js';
import type { EscalationPlan } from './escalation-plan.js';
import type { NotificationChannel } from './notification-channel.js';
import type { PushChannel } from './push-channel.js';

/** How one step ended, for metrics: `latencyMs` is from the batch's first message to the send. */
export type NotificationOutcomeListener = (channel: NotificationChannelName, outcome: 'sent' | 'skipped' | 'failed', step: number, latencyMs?: number) => void;

/** What the notification jobs share. */
export interface NotificationDeps {
  readonly store: Pick<Store, 'notifications' | 'messages' | 'conversations' | 'users' | 'cases'>;
  readonly plan: EscalationPlan;
  readonly channels: ReadonlyMap<NotificationChannelName, NotificationChannel>;
  readonly push: PushChannel;
  readonly publisher: Pick<AfterCommitPublisher, 'publish'>;
  readonly logger: Pick<Logger, 'warn' | 'info'>;
  /** The web app's base URL, for links. */
  readonly publicUrl: string;
  readonly now: () => number;
  /** Set by `reportTo`; counts every step's outcome. */
  outcome: NotificationOutcomeListener;
}

/** The conversation in the web app. */
export const conversationLink = (publicUrl: string, conversationId: string) => `${publicUrl}/conversations/${encodeURIComponent(conversationId)}`;
