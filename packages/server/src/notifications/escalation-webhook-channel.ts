import { NotificationChannel, SENT, type ChannelDelivery, type ChannelOutcome } from './notification-channel.js';
import { webhookHeaders } from '../webhooks/webhook-signer.js';

const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * SMS, calls and any other channel the host app has: a signed POST of
 * `{type, user_id, conversation_id, notification_id, messages, step}` to
 * `ESCALATION_WEBHOOK_URL`, and the host sends the text or places the call. `webhook-id` is the
 * step's key, the same on every retry, so the host can drop a repeat. Anything but a 2xx throws,
 * and the step is retried with the runner's backoff.
 */
export class EscalationWebhookChannel extends NotificationChannel {
  readonly name = 'sms_webhook' as const;
  protected readonly configured: boolean;

  constructor(
    private readonly url: string | undefined,
    private readonly secret: string | undefined,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.configured = url !== undefined && secret !== undefined;
  }

  /** The host app knows its users' phones: anyone is reachable once the webhook is configured. */
  protected async withAddress(userIds: readonly string[]): Promise<Set<string>> {
    return new Set(userIds);
  }

  protected async send(delivery: ChannelDelivery): Promise<ChannelOutcome> {
    const body = JSON.stringify({
      type: 'notification.escalation',
      user_id: delivery.user.id,
      conversation_id: delivery.conversation.id,
      notification_id: delivery.notification.id,
      link: delivery.link,
      messages: delivery.messages.map((m) => ({ id: m.message.id, seq: m.message.seq, sender_id: m.message.senderId, sender_name: m.senderName, kind: m.message.kind, text: this.preview(m), created_at: m.message.createdAt })),
      step: { index: delivery.stepIndex, channel: delivery.step.channel, urgency: delivery.step.urgency, until: delivery.step.until, after_ms: delivery.step.afterMs },
    });
    const headers = { 'content-type': 'application/json', ...webhookHeaders(this.secret!, delivery.key, body, this.now()) };
    const response = await fetch(this.url!, { method: 'POST', headers, body, signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`the escalation webhook answered ${response.status}`);
    return SENT;
  }
}
