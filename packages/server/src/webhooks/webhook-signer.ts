import { createHmac, randomBytes } from 'node:crypto';

/** Secrets are `whsec_` and the base64 of the key, as the Standard Webhooks libraries expect. */
const SECRET_PREFIX = 'whsec_';
/** 24 random bytes: the spec asks for 24 to 64. */
const KEY_BYTES = 24;

/** A new signing secret, `whsec_…`. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(KEY_BYTES).toString('base64')}`;
}

/** Whether `secret` is a `whsec_` secret with a key in it. */
export function isWebhookSecret(secret: string): boolean {
  if (!secret.startsWith(SECRET_PREFIX)) return false;
  const key = secret.slice(SECRET_PREFIX.length);
  return /^[A-Za-z0-9+/]+={0,2}$/.test(key) && Buffer.from(key, 'base64').length >= 16;
}

/**
 * The Standard Webhooks signature of one attempt: `v1,` and the base64 HMAC-SHA256, keyed by the
 * base64-decoded part of the secret after `whsec_`, of `${id}.${timestamp}.${body}`. The body is
 * signed as the exact bytes sent, so a receiver must verify the raw body, not a re-serialisation.
 * @example webhookSignature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')
 * // 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
 */
export function webhookSignature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The three headers of a signed call, at `now` (epoch ms). */
export function webhookHeaders(secret: string, id: string, body: string, now: number = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': webhookSignature(secret, id, timestamp, body) };
}
