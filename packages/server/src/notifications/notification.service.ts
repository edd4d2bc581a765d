import type { NotificationSettingsBody, PushSubscriptionBody } from '@switchboard/protocol';
import type { Actor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import { topics } from '../bus/domain-event.js';
import type { AfterCommitPublisher } from '../messages/after-commit-publisher.js';
import type { Notification, NotificationRepository, NotificationSettings, PushSubscription } from '../storage/store.js';
import { DEFAULT_SETTINGS, isTimeZone } from './notification-preferences.js';
import type { UnsubscribeLink } from './unsubscribe-link.js';

/** The caller's own user id: every notification route is about the caller, never anyone else. */
function ownerOf(actor: Actor): string {
  if (actor.kind !== 'user') throw new AppError('forbidden', 'Notifications belong to a user: call with a user token');
  return actor.user.id;
}

/**
 * What a user does with their notifications: read the feed and mark entries read, register and
 * remove push subscriptions, and set preferences. Each operation touches the caller's own rows
 * only; an id of someone else's entry is ignored like an unknown one.
 */
export class NotificationService {
  constructor(
    private readonly store: NotificationRepository,
    private readonly publisher: Pick<AfterCommitPublisher, 'publish'>,
    private readonly unsubscribeLink: UnsubscribeLink,
    private readonly vapidPublicKey: string | undefined,
  ) {}

  async feed(actor: Actor, query: { unread?: boolean; limit: number; before?: string }): Promise<Notification[]> {
    return this.store.list(ownerOf(actor), query);
  }

  /** Marks entries read (and ends their escalation); returns those that changed. */
  async markRead(actor: Actor, ids: readonly string[] | 'all'): Promise<Notification[]> {
    const userId = ownerOf(actor);
    const changed = await this.store.markRead(userId, ids, new Date().toISOString());
    for (const notification of changed) await this.publisher.publish(topics.user(userId), { type: 'notification.updated', userId, notification });
    return changed;
  }

  /** The key browsers subscribe with (`applicationServerKey`). */
  publicKey(actor: Actor): string {
    ownerOf(actor);
    if (this.vapidPublicKey === undefined) throw new AppError('not_found', 'Web push is not configured on this server');
    return this.vapidPublicKey;
  }

  async subscribe(actor: Actor, body: PushSubscriptionBody): Promise<PushSubscription> {
    const userId = ownerOf(actor);
    this.publicKey(actor);
    const p256dh = Buffer.from(body.keys.p256dh, 'base64url');
    if (p256dh.length !== 65 || p256dh[0] !== 4) throw new AppError('validation_failed', 'keys.p256dh must be an uncompressed P-256 public key', [{ path: '/keys/p256dh', message: 'must be 65 bytes starting with 0x04' }]);
    if (Buffer.from(body.keys.auth, 'base64url').length !== 16) throw new AppError('validation_failed', 'keys.auth must be 16 bytes', [{ path: '/keys/auth', message: 'must be 16 bytes' }]);
    return this.store.subscribe({ endpoint: body.endpoint, userId, p256dh: body.keys.p256dh, auth: body.keys.auth, deviceId: body.device_id ?? null });
  }

  async unsubscribe(actor: Actor, endpoint: string): Promise<void> {
    if (!(await this.store.unsubscribe(ownerOf(actor), endpoint))) throw new AppError('not_found', 'You have no push subscription with this endpoint');
  }

  async settings(actor: Actor): Promise<NotificationSettings | (typeof DEFAULT_SETTINGS & { userId: string; updatedAt: null })> {
    const userId = ownerOf(actor);
    return (await this.store.settings(userId)) ?? { ...DEFAULT_SETTINGS, userId, updatedAt: null };
  }

  async saveSettings(actor: Actor, body: NotificationSettingsBody): Promise<NotificationSettings> {
    const userId = ownerOf(actor);
    const quiet = body.quiet_hours ?? null;
    const timeZone = quiet?.time_zone ?? 'UTC';
    if (quiet && !isTimeZone(timeZone)) throw new AppError('validation_failed', `quiet_hours.time_zone: unknown time zone "${timeZone}"`, [{ path: '/quiet_hours/time_zone', message: 'must be an IANA time zone, e.g. Africa/Addis_Ababa' }]);
    return this.store.saveSettings({
      userId,
      push: body.push,
      email: body.email,
      quietHours: quiet && { start: quiet.start, end: quiet.end, timeZone },
      mutedConversations: [...new Set(body.muted_conversations)],
    });
  }

  /** The email's unsubscribe link: no login, the signature is the credential. */
  async unsubscribeByLink(userId: string, sig: string): Promise<void> {
    if (!this.unsubscribeLink.verify(userId, sig)) throw new AppError('invalid_signature');
    const current = (await this.store.settings(userId)) ?? { ...DEFAULT_SETTINGS, userId };
    await this.store.saveSettings({ ...current, userId, email: 'off' });
  }
}
