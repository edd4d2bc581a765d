import { createHmac } from 'node:crypto';

/**
 * Signs an escalation call the Standard Webhooks way, so a host that verifies Switchboard's other
 * webhooks verifies this one with the same code: `webhook-signature` is
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by the bytes after `whsec_`.
 * @example signEscalation('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'job-1', 1700000000, '{}')
 */
export function signEscalation(secret: string, id: string, timestampSeconds: number, body: string): Record<string, string> {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': `v1,${signature}` };
}
