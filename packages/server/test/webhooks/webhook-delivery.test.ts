import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/cluster.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { inTurn, status, TestReceiver } from './receiver.js';

/** Short retries so a test sees the whole schedule; private targets allowed for the local receiver. */
const ENV = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_SCHEDULE: '200ms,200ms,200ms', JOB_POLL_MS: '50' };

describe('webhook deliveries', () => {
  let server: TestServer;
  const receivers: TestReceiver[] = [];
  beforeAll(async () => {
    server = await startTestServer(ENV);
  });
  // Each test hears only its own endpoint's events.
  afterEach(async () => {
    const { body } = await server.request('GET', '/v1/webhooks', { apiKey: TEST_API_KEY });
    for (const webhook of body.webhooks) await server.request('DELETE', `/v1/webhooks/${webhook.id}`, { apiKey: TEST_API_KEY });
  });
  afterAll(async () => {
    await server.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  const receiver = async (...args: Parameters<typeof TestReceiver.start>) => {
    const r = await TestReceiver.start(...args);
    receivers.push(r);
    return r;
  };
  const register = async (url: string, events: string[]) => {
    const created = await server.request('POST', '/v1/webhooks', { apiKey: TEST_API_KEY, body: { url, events } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as { id: string; secret: string };
  };
  const conversationWithMessage = async (content: string) => {
    const alice = await server.user(['driver']);
    const bob = await server.user(['driver']);
    const conversation = await server.request('POST', '/v1/conversations', { token: alice.token, body: { participant_ids: [bob.user.id] } });
    expect(conversation.status, JSON.stringify(conversation.body)).toBe(201);
    const sent = await server.request('POST', `/v1/conversations/${conversation.body.conversation.id}/messages`, { token: alice.token, body: { content } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    return { alice, bob, conversationId: conversation.body.conversation.id as string, message: sent.body.message };
  };

  it('retries a receiver that answers 500, 500, 200 with the same webhook-id and a valid signature each time', async () => {
    const hook = await receiver(inTurn(500, 500, 200));
    const { id, secret } = await register(hook.url, ['message.created']);
    expect(secret).toMatch(/^whsec_/);
    const { conversationId, message } = await conversationWithMessage('Bus 12 is at the depot');

    await eventually(async () => hook.received.length >= 3, 10_000, 'three attempts');
    const ids = hook.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^msg_/);
    const verifier = new Webhook(secret);
    for (const attempt of hook.received) {
      const payload = verifier.verify(attempt.body, attempt.headers as Record<string, string>) as any;
      expect(payload).toMatchObject({ type: 'message.created', data: { conversation_id: conversationId, seq: message.seq, last_seq: message.seq, message: { id: message.id, content: 'Bus 12 is at the depot' } } });
    }
    // The same bytes each time: the body is fixed when the delivery is made.
    expect(new Set(hook.received.map((r) => r.body)).size).toBe(1);

    const log = await eventually(async () => {
      const page = await server.request('GET', `/v1/webhooks/${id}/deliveries?status=succeeded`, { apiKey: TEST_API_KEY });
      return page.body.deliveries.length === 1 && page.body;
    }, 5000, 'the delivery recorded as succeeded');
    expect(log.deliveries[0]).toMatchObject({ id: ids[0], status: 'succeeded', attempts: 3, last_status_code: 200, event_type: 'message.created' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hook.received).toHaveLength(3);
  });

  it('gives a delivery up once the schedule is spent, lists it as failed, and sends it again on redelivery', async () => {
    let healthy = false;
    const hook = await receiver((_n, _r, res) => status(healthy ? 204 : 503)(res));
    const { id } = await register(hook.url, ['message.created']);
    await conversationWithMessage('Where is my parcel?');
    // One attempt and three retries.
    await eventually(async () => (await server.request('GET', `/v1/webhooks/${id}/deliveries?status=failed`, { apiKey: TEST_API_KEY })).body.deliveries.length === 1, 10_000, 'the delivery failed for good');
    expect(hook.received).toHaveLength(4);
    const [failed] = (await server.request('GET', `/v1/webhooks/${id}/deliveries?status=failed`, { apiKey: TEST_API_KEY })).body.deliveries;
    expect(failed).toMatchObject({ attempts: 4, last_status_code: 503, next_attempt_at: null });

    healthy = true;
    const again = await server.request('POST', `/v1/webhooks/${id}/deliveries/${failed.id}/redeliver`, { apiKey: TEST_API_KEY });
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    await eventually(async () => hook.received.length === 5, 5000, 'the redelivery');
    expect(hook.received[4]!.headers['webhook-id']).toBe(failed.id);
    expect(hook.received[4]!.body).toBe(hook.received[0]!.body);
  });

  it('disables an endpoint that answers 410 and sends it nothing more', async () => {
    const hook = await receiver(inTurn(410));
    const { id } = await register(hook.url, ['message.created']);
    await conversationWithMessage('first');
    const disabled = await eventually(async () => {
      const got = await server.request('GET', `/v1/webhooks/${id}`, { apiKey: TEST_API_KEY });
      return got.body.webhook.disabled === true && got.body.webhook;
    }, 5000, 'the endpoint disabled');
    expect(disabled.disabled_reason).toMatch(/410/);
    expect((await server.request('GET', `/v1/webhooks/${id}/deliveries?status=failed`, { apiKey: TEST_API_KEY })).body.deliveries).toHaveLength(1);
    await conversationWithMessage('second');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hook.received).toHaveLength(1);
  });
});
