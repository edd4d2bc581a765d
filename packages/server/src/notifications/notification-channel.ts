import type { Conversation, Message, User } from '../core/model.js';
import type { EscalationStep, Notification, NotificationChannelName } from '../storage/store.js';

/** A missed message as a channel shows it. */
export interface MissedMessage {
  readonly message: Message;
  readonly senderName: string;
}

/** Everything a channel needs to reach one recipient for one step. */
export interface ChannelDelivery {
  /** The step's job id: the idempotency key receivers see (webhook-id, Message-ID). */
  readonly key: string;
  readonly user: User;
  readonly conversation: Conversation;
  readonly notification: Notification;
  readonly step: EscalationStep;
  readonly stepIndex: number;
  /** Oldest first: the recipient's unread (or undelivered) messages of the batch. */
  readonly messages: readonly MissedMessage[];
  /** The conversation in the web app. */
  readonly link: string;
}

export type ChannelOutcome = { readonly outcome: 'sent' } | { readonly outcome: 'skipped'; readonly reason: string };

export const SENT: ChannelOutcome = { outcome: 'sent' };
export const skipped = (reason: string): ChannelOutcome => ({ outcome: 'skipped', reason });

/** Longest message text carried into a push, an email line or a webhook body. */
const PREVIEW_LENGTH = 200;

/**
 * The base of every channel (push, email, the escalation webhook). It owns what they share:
 * skipping when the channel is not configured, and the wording of a batch (title, previews);
 * a subclass only moves the bytes. `send` resolves with the outcome, or throws to have the step
 * retried by the job runner.
 */
export abstract class NotificationChannel {
  abstract readonly name: NotificationChannelName;
  /** Whether the deployment configured this channel at all. */
  protected abstract readonly configured: boolean;

  /** Which of these users this channel could reach at all (an address, a subscription); no sending. */
  async reachable(userIds: readonly string[]): Promise<Set<string>> {
    return this.configured && userIds.length > 0 ? this.withAddress(userIds) : new Set();
  }

  /** Which of these users have what this channel sends to. */
  protected abstract withAddress(userIds: readonly string[]): Promise<Set<string>>;

  async deliver(delivery: ChannelDelivery): Promise<ChannelOutcome> {
    if (!this.configured) return skipped('not_configured');
    if (delivery.messages.length === 0) return skipped('nothing_to_show');
    return this.send(delivery);
  }

  protected abstract send(delivery: ChannelDelivery): Promise<ChannelOutcome>;

  /** The conversation's title, or who wrote: "Abebe, Sara". */
  protected title(delivery: ChannelDelivery): string {
    if (delivery.conversation.title) return delivery.conversation.title;
    return [...new Set(delivery.messages.map((m) => m.senderName))].join(', ');
  }

  /** One line per message: the sender's name and the start of the text (or what it carries). */
  protected preview(missed: MissedMessage): string {
    const { message } = missed;
    const text = message.content.trim() || (message.attachments.length > 0 ? `[${message.attachments.length} attachment${message.attachments.length > 1 ? 's' : ''}]` : `[${message.kind}]`);
    return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH - 1)}…` : text;
  }
}
