import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The unsubscribe link of notification emails: it must work from a mail client, without a
 * login, so it carries the user id and an HMAC of it under the server's secret. Following it
 * turns email notifications off for that user and nothing else.
 */
export class UnsubscribeLink {
  constructor(
    private readonly secret: string,
    private readonly publicUrl: string,
  ) {}

  /** The absolute link for `userId`. */
  for(userId: string): string {
    return `${this.publicUrl}/v1/notifications/unsubscribe?user=${encodeURIComponent(userId)}&sig=${this.sign(userId)}`;
  }

  /** Whether `sig` is the link's signature for `userId`. */
  verify(userId: string, sig: string): boolean {
    const expected = Buffer.from(this.sign(userId));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private sign(userId: string): string {
    return createHmac('sha256', this.secret).update(`unsubscribe:${userId}`).digest('base64url');
  }
}
