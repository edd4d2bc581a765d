import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetryIn } from '../../src/jobs/retry-in.js';
import type { Job, Store } from '../../src/storage/store.js';
import { DELIVERY_JOB_KIND, DISABLE_AFTER_MS, webhookDeliveryJob, type DeliveryOptions } from '../../src/webhooks/webhook-delivery.job.js';
import { generateWebhookSecret, webhookSignature } from '../../src/webhooks/webhook-signer.js';
import { dialects } from '../support/test-stores.js';
import { useTestStore } from '../store/use-test-store.js';
import { inTurn, status, TestReceiver, type Answer } from './receiver.js';

const silent = { info: () => {}, warn: () => {} };
const SCHEDULE = [5000, 300_000];

describe('the signer', () => {
  it('signs as the standardwebhooks package does', () => {
    const secret = generateWebhookSecret();
    const at = new Date('2030-01-02T03:04:05Z');
    const body = '{"type":"message.created","data":{"text":"ሰላም Алматыдан"}}';
    expect(webhookSignature(secret, 'msg_1', Math.floor(at.getTime() / 1000), body)).toBe(new Webhook(secret).sign('msg_1', at, body));
  });
});

for (const dialect of dialects) {
  describe(`one delivery attempt on ${dialect}`, () => {
    const t = useTestStore(dialect);
    let answer: Answer = inTurn(200);
    let receiver: TestReceiver;
    beforeAll(async () => {
      receiver = await TestReceiver.start((n, r, res) => answer(n, r, res));
    });
    afterAll(() => receiver.close());

    let clock = Date.parse('2030-01-01T00:00:00Z');
    const handlerFor = (store: Store, options: Partial<DeliveryOptions> = {}) =>
      webhookDeliveryJob(store, { schedule: SCHEDULE, timeoutMs: 5000, allowPrivate: true, maxInFlight: 4, logger: silent, now: () => clock, random: () => 0.5, ...options });

    /** An endpoint at the receiver with one pending delivery; resolves the job of its first attempt. */
    const pending = async (deliveryId = 'msg_one', url = receiver.url) => {
      const endpoint = await t.store.webhooks.createEndpoint({ id: `wh_${deliveryId}`, url, events: ['message.created'], description: null, secret: generateWebhookSecret() });
      await t.store.webhooks.createDeliveries([{ id: deliveryId, endpointId: endpoint.id, eventType: 'message.created', payload: '{"type":"message.created"}' }], DELIVERY_JOB_KIND);
      const job = await t.store.outbox.byId(`${deliveryId}:${DELIVERY_JOB_KIND}`);
      return { endpoint, job: job! };
    };
    const retryDelayOf = async (run: Promise<void>) => {
      const error = await run.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(RetryIn);
      return (error as RetryIn).delayMs;
    };

    it('retries on the schedule, recording each attempt, and fails the delivery once the schedule is spent', async () => {
      answer = inTurn(500);
      const handle = handlerFor(t.store);
      const { job } = await pending();
      expect(await retryDelayOf(handle(job))).toBe(5000);
      expect(await t.store.webhooks.delivery('msg_one')).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500, nextAttemptAt: new Date(clock + 5000).toISOString() });
      clock += 5000;
      expect(await retryDelayOf(handle(job))).toBe(300_000);
      clock += 300_000;
      await handle(job);
      expect(await t.store.webhooks.delivery('msg_one')).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 500, nextAttemptAt: null });
    });

    it('waits for a Retry-After longer than the scheduled delay', async () => {
      answer = (_n, _r, res) => status(503, '', { 'retry-after': '120' })(res);
      const { job } = await pending();
      expect(await retryDelayOf(handlerFor(t.store)(job))).toBe(120_000);
    });

    it('disables an endpoint that has failed for five days without a success', async () => {
      answer = inTurn(500);
      const handle = handlerFor(t.store, { schedule: [1000, 1000, 1000] });
      const { job, endpoint } = await pending();
      await retryDelayOf(handle(job));
      expect((await t.store.webhooks.endpoint(endpoint.id))!.failingSince).toBe(new Date(clock).toISOString());
      clock += DISABLE_AFTER_MS;
      await handle(job);
      expect(await t.store.webhooks.delivery('msg_one')).toMatchObject({ status: 'failed', attempts: 2 });
      expect(await t.store.webhooks.endpoint(endpoint.id)).toMatchObject({ disabledAt: expect.any(String), disabledReason: 'every delivery failed for five days' });
    });

    it('clears the failure streak on a success', async () => {
      answer = inTurn(500, 200);
      const handle = handlerFor(t.store);
      const { job, endpoint } = await pending();
      await retryDelayOf(handle(job));
      await handle(job);
      expect(await t.store.webhooks.delivery('msg_one')).toMatchObject({ status: 'succeeded', attempts: 2, lastStatusCode: 200, deliveredAt: expect.any(String) });
      expect((await t.store.webhooks.endpoint(endpoint.id))!.failingSince).toBeNull();
    });

    it('keeps an endpoint to its in-flight limit: one more waits its turn here, the next goes back to the outbox without spending an attempt', async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      answer = async (_n, _r, res) => {
        await held;
        status(200)(res);
      };
      const handle = handlerFor(t.store, { maxInFlight: 1 });
      const first = await pending('msg_a');
      await t.store.webhooks.createDeliveries(['msg_b', 'msg_c'].map((id) => ({ id, endpointId: first.endpoint.id, eventType: 'message.created', payload: '{}' })), DELIVERY_JOB_KIND);
      const jobOf = async (id: string) => (await t.store.outbox.byId(`${id}:${DELIVERY_JOB_KIND}`))!;
      const sent = receiver.received.length;
      const running = handle(first.job);
      await expect.poll(() => receiver.received.length > sent).toBe(true);
      const waiting = handle(await jobOf('msg_b'));
      const delay = await retryDelayOf(handle(await jobOf('msg_c')));
      expect(delay).toBeLessThanOrEqual(750);
      expect(await t.store.webhooks.delivery('msg_c')).toMatchObject({ status: 'pending', attempts: 0 });
      // Only the first reached the receiver while it was held.
      expect(receiver.received.length).toBe(sent + 1);
      release();
      await Promise.all([running, waiting]);
      expect(await t.store.webhooks.delivery('msg_a')).toMatchObject({ status: 'succeeded' });
      expect(await t.store.webhooks.delivery('msg_b')).toMatchObject({ status: 'succeeded' });
    });

    it('refuses a loopback target unless private targets are allowed, without sending anything', async () => {
      answer = inTurn(200);
      const before = receiver.received.length;
      const { job } = await pending();
      await retryDelayOf(handlerFor(t.store, { allowPrivate: false })(job));
      expect(await t.store.webhooks.delivery('msg_one')).toMatchObject({ status: 'pending', lastStatusCode: null, lastError: expect.stringMatching(/private or loopback/) });
      expect(receiver.received.length).toBe(before);
    });

    it('sends nothing for an endpoint disabled meanwhile, and fails the delivery', async () => {
      const before = receiver.received.length;
      const { job, endpoint } = await pending();
      await t.store.webhooks.updateEndpoint(endpoint.id, { enabled: false });
      await handlerFor(t.store)(job as Job);
      expect(await t.store.webhooks.delivery('msg_one')).toMatchObject({ status: 'failed', lastError: 'the endpoint is disabled' });
      expect(receiver.received.length).toBe(before);
    });
  });
}
