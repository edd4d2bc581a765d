import webpush from 'web-push';
import type { Logger } from 'pino';
import type { NotificationRepository, PushSubscription } from '../storage/store.js';
import { NotificationChannel, SENT, skipped, type ChannelDelivery, type ChannelOutcome } from './notification-channel.js';
import { pushTopic } from './push-topic.js';
import type { VapidKeys } from './vapid-keys.js';

/** A pending push the browser has not fetched is dropped after this long: stale news is noise. */
const PUSH_TTL_SECONDS = 3600;
/** How long one push service may take to answer. */
const PUSH_TIMEOUT_MS = 10_000;

/** What the service worker receives (JSON, encrypted for the subscription). */
export type PushPayload =
  | { readonly type: 'notification'; readonly notification_id: string; readonly conversation_id: string; readonly title: string; readonly body: string; readonly url: string; readonly count: number; readonly urgency: 'normal' | 'high' }
  | { readonly type: 'clear'; readonly conversation_id: string; readonly notification_ids: readonly string[] };

/**
 * Web push (RFC 8030 with VAPID, aes128gcm): `web-push` signs and encrypts, this posts the
 * request itself, so the answer of each push service is read here. One push per subscription of
 * the recipient, `topic` = the conversation so a newer push replaces an unseen one, TTL 1 h.
 * A 404 or 410 means the subscription is gone for good: it is deleted. Any other failure of
 * every subscription throws, and the step is retried.
 */
export class PushChannel extends NotificationChannel {
  readonly name = 'push' as const;
  protected readonly configured: boolean;

  constructor(
    private readonly store: Pick<NotificationRepository, 'subscriptions' | 'subscribedUsers' | 'dropSubscription'>,
    private readonly keys: VapidKeys | undefined,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {
    super();
    this.configured = keys !== undefined;
  }

  get publicKey(): string | undefined {
    return this.keys?.publicKey;
  }

  protected withAddress(userIds: readonly string[]): Promise<Set<string>> {
    return this.store.subscribedUsers(userIds);
  }

  protected async send(delivery: ChannelDelivery): Promise<ChannelOutcome> {
    const last = delivery.messages[delivery.messages.length - 1]!;
    const payload: PushPayload = {
      type: 'notification',
      notification_id: delivery.notification.id,
      conversation_id: delivery.conversation.id,
      title: this.title(delivery),
      body: delivery.messages.length > 1 ? `${last.senderName}: ${this.preview(last)} (+${delivery.messages.length - 1})` : `${last.senderName}: ${this.preview(last)}`,
      url: delivery.link,
      count: delivery.messages.length,
      urgency: delivery.step.urgency,
    };
    return this.toAll(delivery.user.id, payload, delivery.step.urgency === 'high' ? 'high' : 'normal');
  }

  /** The silent "clear" push: the user read the conversation elsewhere. */
  async clear(userId: string, conversationId: string, notificationIds: readonly string[]): Promise<ChannelOutcome> {
    if (!this.configured) return skipped('not_configured');
    return this.toAll(userId, { type: 'clear', conversation_id: conversationId, notification_ids: notificationIds }, 'normal');
  }

  private async toAll(userId: string, payload: PushPayload, urgency: 'normal' | 'high'): Promise<ChannelOutcome> {
    const subscriptions = await this.store.subscriptions(userId);
    if (subscriptions.length === 0) return skipped('no_subscription');
    const results = await Promise.all(subscriptions.map((s) => this.post(s, payload, urgency)));
    if (results.includes('sent')) return SENT;
    if (results.every((r) => r === 'gone')) return skipped('subscriptions_gone');
    throw new Error('no push service accepted the notification');
  }

  private async post(subscription: PushSubscription, payload: PushPayload, urgency: 'normal' | 'high'): Promise<'sent' | 'gone' | 'failed'> {
    const keys = this.keys!;
    const request = webpush.generateRequestDetails({ endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } }, JSON.stringify(payload), {
      vapidDetails: { subject: keys.subject, publicKey: keys.publicKey, privateKey: keys.privateKey },
      TTL: PUSH_TTL_SECONDS,
      topic: pushTopic(payload.conversation_id),
      urgency,
      contentEncoding: 'aes128gcm',
    });
    try {
      const response = await fetch(request.endpoint, { method: request.method, headers: request.headers as Record<string, string>, body: request.body ? new Uint8Array(request.body) : null, signal: AbortSignal.timeout(PUSH_TIMEOUT_MS) });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status === 404 || response.status === 410) {
        await this.store.dropSubscription(subscription.endpoint);
        return 'gone';
      }
      if (response.ok) return 'sent';
      this.logger.warn({ status: response.status, userId: subscription.userId }, 'push service refused a notification');
      return 'failed';
    } catch (err) {
      this.logger.warn({ err, userId: subscription.userId }, 'push service unreachable');
      return 'failed';
    }
  }
}
