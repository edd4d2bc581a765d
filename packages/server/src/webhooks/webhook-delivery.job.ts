import type { Logger } from 'pino';
import type { JobHandler } from '../jobs/job-handler.js';
import { RetryIn } from '../jobs/retry-in.js';
import type { Store, WebhookDelivery, WebhookEndpoint } from '../storage/store.js';
import { EndpointSlots } from './endpoint-slots.js';
import { retryAfterMs, retryDelay } from './retry-schedule.js';
import { signedPost, type PostAnswer } from './signed-post.js';
import { webhookHeaders } from './webhook-signer.js';

/** One attempt of one delivery. */
export const DELIVERY_JOB_KIND = 'webhooks.deliver';

/** An endpoint failing without a single success for this long is disabled (the Standard Webhooks advice). */
export const DISABLE_AFTER_MS = 5 * 86_400_000;
/**
 * A delivery whose endpoint has all its slots taken waits this long, in ms, doubling with each
 * time it found them taken, up to {@link BUSY_RETRY_CAP_MS} (none of it counts as an attempt):
 * a backlog behind a slow receiver is looked at less and less often instead of being claimed
 * again every second.
 */
const BUSY_RETRY_MS = 500;
const BUSY_RETRY_CAP_MS = 5000;
/** Longest error text kept on a delivery. */
const MAX_ERROR_LENGTH = 500;

export interface DeliveryOptions {
  readonly schedule: readonly number[];
  readonly timeoutMs: number;
  readonly allowPrivate: boolean;
  readonly maxInFlight: number;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  /** The clock, in epoch ms. @default Date.now */
  readonly now?: () => number;
  /** Uniform in [0, 1), for the jitter. @default Math.random */
  readonly random?: () => number;
}

type Verdict = { readonly ok: true; readonly status: number } | { readonly ok: false; readonly status: number | null; readonly error: string; readonly retryAfterMs?: number | undefined };

function verdictOf(answer: PostAnswer, now: number): Verdict {
  if (answer.status >= 200 && answer.status < 300) return { ok: true, status: answer.status };
  const header = answer.headers['retry-after'];
  return { ok: false, status: answer.status, error: `answered ${answer.status}`, retryAfterMs: retryAfterMs(Array.isArray(header) ? header[0] : header, now) };
}

/**
 * Runs one attempt of a delivery: signs the stored body (Standard Webhooks headers, a fresh
 * timestamp, the delivery's id), POSTs it within the timeout, and records the outcome. A 2xx
 * succeeds. A 410 fails it and disables the endpoint. Anything else is retried on the schedule
 * (a later `Retry-After` wins) by throwing {@link RetryIn}; once the schedule is spent, or the
 * endpoint has failed for five days without a success, the delivery fails (and, for the latter,
 * the endpoint is disabled).
 */
export function webhookDeliveryJob(store: Store, options: DeliveryOptions): JobHandler {
  const slots = new EndpointSlots(options.maxInFlight);
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;

  const attempt = async (delivery: WebhookDelivery, endpoint: WebhookEndpoint): Promise<Verdict> => {
    try {
      const headers = webhookHeaders(endpoint.secret, delivery.id, delivery.payload, now());
      return verdictOf(await signedPost(endpoint.url, delivery.payload, { headers, timeoutMs: options.timeoutMs, allowPrivate: options.allowPrivate }), now());
    } catch (err) {
      return { ok: false, status: null, error: (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_LENGTH) };
    }
  };

  const disable = async (endpoint: WebhookEndpoint, reason: string) => {
    await store.webhooks.updateEndpoint(endpoint.id, { enabled: false, disabledReason: reason });
    options.logger.warn({ endpointId: endpoint.id, url: endpoint.url, reason }, 'webhook endpoint disabled');
  };

  return async (job) => {
    const delivery = await store.webhooks.delivery(job.subjectId);
    if (!delivery || delivery.status !== 'pending') return;
    const endpoint = await store.webhooks.endpoint(delivery.endpointId);
    if (!endpoint) return;
    const at = () => new Date(now()).toISOString();
    if (endpoint.disabledAt !== null) {
      await store.webhooks.recordAttempt(delivery.id, { at: at(), status: 'failed', statusCode: null, error: 'the endpoint is disabled', nextAttemptAt: null });
      return;
    }
    if (!(await slots.take(endpoint.id))) {
      // `job.attempts` counts this job's claims, the waits included.
      const waited = Math.max(0, job.attempts - delivery.attempts - 1);
      throw new RetryIn(Math.round(Math.min(BUSY_RETRY_CAP_MS, BUSY_RETRY_MS * 2 ** waited) * (0.5 + random())), 'the endpoint has all its deliveries in flight');
    }
    let verdict: Verdict;
    try {
      verdict = await attempt(delivery, endpoint);
    } finally {
      slots.release(endpoint.id);
    }
    if (verdict.ok) {
      await store.webhooks.recordAttempt(delivery.id, { at: at(), status: 'succeeded', statusCode: verdict.status, error: null, nextAttemptAt: null });
      return;
    }
    const failed = { at: at(), statusCode: verdict.status, error: verdict.error };
    if (verdict.status === 410) {
      await store.webhooks.recordAttempt(delivery.id, { ...failed, status: 'failed', nextAttemptAt: null });
      await disable(endpoint, 'the endpoint answered 410 Gone');
      return;
    }
    const failingSince = endpoint.failingSince === null ? now() : Date.parse(endpoint.failingSince);
    if (now() - failingSince >= DISABLE_AFTER_MS) {
      await store.webhooks.recordAttempt(delivery.id, { ...failed, status: 'failed', nextAttemptAt: null });
      await disable(endpoint, 'every delivery failed for five days');
      return;
    }
    const scheduled = retryDelay(options.schedule, delivery.attempts + 1, random);
    if (scheduled === undefined) {
      await store.webhooks.recordAttempt(delivery.id, { ...failed, status: 'failed', nextAttemptAt: null });
      return;
    }
    const delayMs = Math.max(scheduled, verdict.retryAfterMs ?? 0);
    await store.webhooks.recordAttempt(delivery.id, { ...failed, status: 'pending', nextAttemptAt: new Date(now() + delayMs).toISOString() });
    throw new RetryIn(delayMs, `${verdict.error}; retrying in ${delayMs} ms`);
  };
}
