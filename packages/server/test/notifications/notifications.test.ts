import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { eventually } from '../support/cluster.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { browserKeys, decryptPush, startRecorder, startSmtpSink, type BrowserKeys } from './notification-peers.js';
import { WEBHOOK_TEST_SECRET } from './webhook-test-secret.js';
import { TestWsClient } from '../support/ws-client.js';

const WEBHOOK_SECRET = WEBHOOK_TEST_SECRET;

// Short delays keep the file fast; "trip" waits long enough for a reader to come back first.
const POLICY = {
  ...DEFAULT_POLICY,
  notifications: {
    escalation: {
      general: [
        { after: '100ms', channel: 'push' },
        { after: '2s', channel: 'email' },
      ],
      job: [{ after: '0s', channel: 'sms_webhook', urgency: 'high', until: 'delivered' }],
      trip: [{ after: '3s', channel: 'push' }],
      request: [
        { after: '0s', channel: 'push', urgency: 'high' },
        { after: '100ms', channel: 'email' },
      ],
    },
  },
};

describe('notifications against real peers', () => {
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let pushService: Awaited<ReturnType<typeof startRecorder>>;
  let hostApp: Awaited<ReturnType<typeof startRecorder>>;
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-notify-'));
  let users = 0;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    pushService = await startRecorder((path) => (path.startsWith('/gone') ? 410 : 201));
    hostApp = await startRecorder(() => 204);
    const policyFile = join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify(POLICY));
    server = await startTestServer({
      NOTIFICATIONS_ENABLED: 'true',
      POLICY_FILE: policyFile,
      JOB_POLL_MS: '50',
      SMTP_URL: smtp.url,
      EMAIL_FROM: 'Switchboard <noreply@switchboard.test>',
      ESCALATION_WEBHOOK_URL: `${hostApp.url}/escalate`,
      ESCALATION_WEBHOOK_SECRET: WEBHOOK_SECRET,
      PUBLIC_URL: 'https://chat.example.test',
      NOTIFICATION_STEPS: 'none',
    });
  });
  afterAll(async () => {
    await server?.close();
    await Promise.all([smtp?.close(), pushService?.close(), hostApp?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A user with an email address and, when asked, a push subscription at `path` of the push service. */
  async function person(name: string, push?: string): Promise<{ id: string; token: string; browser?: BrowserKeys; endpoint?: string }> {
    const id = `${name.toLowerCase()}-${++users}`;
    const put = await server.request('PUT', `/v1/users/${id}`, { apiKey: TEST_API_KEY, body: { roles: ['operator'], display_name: name, email: `${id}@example.test` } });
    expect([200, 201]).toContain(put.status);
    const token = await server.services.tokens.mint((await server.services.store.users.byId(id))!);
    if (push === undefined) return { id, token };
    const browser = browserKeys();
    const endpoint = `${pushService.url}${push}/${id}`;
    const subscribed = await server.request('POST', '/v1/push-subscriptions', { token, body: { endpoint, keys: browser.keys, device_id: 'phone' } });
    expect(subscribed.status, JSON.stringify(subscribed.body)).toBe(201);
    return { id, token, browser, endpoint };
  }

  async function conversation(type: string, ids: string[], title?: string): Promise<string> {
    const created = await server.request('POST', '/v1/conversations', { apiKey: TEST_API_KEY, body: { type, participant_ids: ids, ...(title && { title }) } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.conversation.id as string;
  }

  async function send(token: string, conversationId: string, content: string) {
    const sent = await server.request('POST', `/v1/conversations/${conversationId}/messages`, { token, body: { content } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    return sent.body.message as { id: string; seq: number };
  }

  const pushesTo = (id: string) => pushService.requests.filter((r) => r.path.endsWith(`/${id}`));
  const deliveries = (userId: string, conversationId: string) => server.services.store.notifications.deliveries(userId, conversationId);

  it('pushes a VAPID-signed, encrypted notice, then emails the batch, then clears the push when the user reads', { timeout: 20_000 }, async () => {
    const sender = await person('Abebe');
    const reader = await person('Sara', '/push');
    const conversationId = await conversation('general', [sender.id, reader.id], 'Route 12');
    await send(sender.token, conversationId, 'The bus is late');
    await send(sender.token, conversationId, 'About <10> minutes');

    const push = await eventually(async () => pushesTo(reader.id)[0], 10_000, 'a push reached the push service');
    expect(push.headers['content-encoding']).toBe('aes128gcm');
    expect(push.headers.ttl).toBe('3600');
    expect(push.headers.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    // The VAPID JWT verifies with the server's published key, for the push service's origin.
    const [, jwt, key] = /^vapid t=([^,]+), k=(.+)$/.exec(String(push.headers.authorization))!;
    const published = (await server.request('GET', '/v1/push/vapid-public-key', { token: reader.token })).body.public_key as string;
    expect(key).toBe(published);
    const raw = Buffer.from(published, 'base64url');
    const jwk = { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33, 65).toString('base64url') };
    const { payload: claims } = await jwtVerify(jwt!, await importJWK(jwk, 'ES256'));
    expect(claims.aud).toBe(pushService.url);
    const notice = decryptPush(push.body, reader.browser!);
    expect(notice).toMatchObject({ type: 'notification', conversation_id: conversationId, title: 'Route 12', url: `https://chat.example.test/conversations/${conversationId}` });
    expect(notice.body).toContain('Abebe: ');

    const mail = await eventually(async () => smtp.mails.find((m) => m.to && JSON.stringify(m.to).includes(reader.id)), 10_000, 'the batched email arrived');
    expect(mail.subject).toBe('2 new messages: Route 12');
    expect(mail.from?.text).toContain('noreply@switchboard.test');
    expect(mail.text).toContain('Abebe: The bus is late');
    expect(mail.text).toContain('Abebe: About <10> minutes');
    expect(mail.text).toContain(`https://chat.example.test/conversations/${conversationId}`);
    expect(mail.html).toContain('About &#60;10&#62; minutes');
    const unsubscribe = /Stop these emails: (\S+)/.exec(mail.text ?? '')![1]!;
    expect(mail.headers.get('list')).toMatchObject({ unsubscribe: { id: unsubscribe } });

    // One feed entry for the batch, not one per message.
    const feed = await server.request('GET', '/v1/notifications?unread=true', { token: reader.token });
    expect(feed.body.notifications).toEqual([expect.objectContaining({ conversation_id: conversationId, message_count: 2, read_at: null, escalating: false })]);

    expect((await server.request('POST', `/v1/conversations/${conversationId}/read`, { token: reader.token, body: {} })).status).toBe(200);
    const clear = await eventually(async () => pushesTo(reader.id)[1], 10_000, 'the clear push');
    expect(decryptPush(clear.body, reader.browser!)).toEqual({ type: 'clear', conversation_id: conversationId, notification_ids: [feed.body.notifications[0].id] });
    await eventually(async () => (await server.request('GET', '/v1/notifications?unread=true', { token: reader.token })).body.notifications.length === 0, 10_000, 'the feed entry read');

    // The unsubscribe link works without a login, and only with its signature.
    const url = new URL(unsubscribe);
    expect((await server.request('GET', `${url.pathname}?user=${reader.id}&sig=forged`)).status).toBe(403);
    const followed = await server.request('GET', `${url.pathname}${url.search}`);
    expect(followed.status).toBe(200);
    expect((await server.request('GET', '/v1/me/notification-settings', { token: reader.token })).body.settings.email).toBe('off');
    expect(await deliveries(reader.id, conversationId)).toEqual([expect.objectContaining({ channel: 'push', outcome: 'sent' }), expect.objectContaining({ channel: 'email', outcome: 'sent' })]);
  });

  it('deletes a subscription the push service answers 410 for', { timeout: 20_000 }, async () => {
    const sender = await person('Dawit');
    const reader = await person('Hana', '/gone');
    const conversationId = await conversation('general', [sender.id, reader.id]);
    await send(sender.token, conversationId, 'Are you there?');
    await eventually(async () => (await server.services.store.notifications.subscriptions(reader.id)).length === 0, 10_000, 'the subscription deleted');
    expect(pushesTo(reader.id)).toHaveLength(1);
    await eventually(async () => (await deliveries(reader.id, conversationId))[0], 10_000, 'the push step recorded');
    expect((await deliveries(reader.id, conversationId))[0]).toMatchObject({ channel: 'push', outcome: 'skipped', reason: 'subscriptions_gone' });
  });

  it('calls the escalation webhook with a valid Standard Webhooks signature', { timeout: 20_000 }, async () => {
    const sender = await person('Control');
    const driver = await person('Driver');
    const conversationId = await conversation('job', [sender.id, driver.id]);
    const message = await send(sender.token, conversationId, 'Stop at the depot now');
    const call = await eventually(async () => hostApp.requests.find((r) => JSON.parse(r.body.toString()).user_id === driver.id), 10_000, 'the webhook was called');
    const id = String(call.headers['webhook-id']);
    const timestamp = String(call.headers['webhook-timestamp']);
    const key = Buffer.from(WEBHOOK_SECRET.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${call.body.toString()}`).digest('base64');
    expect(call.headers['webhook-signature']).toBe(`v1,${expected}`);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(300);
    const body = JSON.parse(call.body.toString());
    expect(body).toMatchObject({ type: 'notification.escalation', user_id: driver.id, conversation_id: conversationId, step: { index: 0, channel: 'sms_webhook', urgency: 'high', until: 'delivered' } });
    expect(body.messages).toEqual([expect.objectContaining({ id: message.id, sender_name: 'Control', text: 'Stop at the depot now' })]);
  });

  it('sends nothing to a recipient who reads in time', { timeout: 20_000 }, async () => {
    const sender = await person('Organizer');
    const passenger = await person('Passenger', '/push');
    const conversationId = await conversation('trip', [sender.id, passenger.id]);
    await send(sender.token, conversationId, 'Pickup moved to gate B');
    await eventually(async () => (await server.request('GET', '/v1/notifications', { token: passenger.token })).body.notifications[0], 10_000, 'the feed entry');
    expect((await server.request('POST', `/v1/conversations/${conversationId}/read`, { token: passenger.token, body: {} })).status).toBe(200);
    const [step] = await eventually(async () => {
      const recorded = await deliveries(passenger.id, conversationId);
      return recorded.length > 0 && recorded;
    }, 10_000, 'the push step settled');
    expect(step).toMatchObject({ channel: 'push', outcome: 'skipped' });
    expect(['read', 'caught_up']).toContain(step!.reason);
    expect(pushesTo(passenger.id)).toEqual([]);
  });

  it('tells the user’s native and MoreVans notifications sockets of each feed entry as it opens, grows and is read', { timeout: 20_000 }, async () => {
    const sender = await person('Mover');
    const customer = await person('Customer');
    const native = await TestWsClient.authenticated(server.url, customer.token);
    const morevans = await TestWsClient.connect(server.url, customer.token, { path: '/ws/notifications/' });
    try {
      const conversationId = await conversation('trip', [sender.id, customer.id]);
      await send(sender.token, conversationId, 'Van arriving');
      const opened = await native.next((f) => f.type === 'notification', 10_000);
      expect(opened.notification).toMatchObject({ conversation_id: conversationId, message_count: 1, read_at: null });
      await send(sender.token, conversationId, 'Two minutes away');
      const grown = await native.next((f) => f.type === 'notification', 10_000);
      expect(grown.notification).toMatchObject({ id: opened.notification.id, message_count: 2 });
      expect((await morevans.next((f) => f.type === 'notification', 10_000)).notification.id).toBe(opened.notification.id);
      const read = await server.request('POST', '/v1/notifications/read', { token: customer.token, body: { all: true } });
      expect(read.body.notifications).toEqual([expect.objectContaining({ id: opened.notification.id, read_at: expect.any(String), escalating: false })]);
      expect((await native.next((f) => f.type === 'notification' && f.notification.read_at !== null, 10_000)).notification.id).toBe(opened.notification.id);
    } finally {
      native.ws.close();
      morevans.ws.close();
    }
  });

  it('escalates only emergency steps in a muted conversation', { timeout: 20_000 }, async () => {
    const sender = await person('Dispatcher');
    const reader = await person('Muted', '/push');
    const conversationId = await conversation('request', [sender.id, reader.id]);
    const saved = await server.request('PUT', '/v1/me/notification-settings', { token: reader.token, body: { push: true, email: 'immediate', muted_conversations: [conversationId] } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    await send(sender.token, conversationId, 'Urgent: call the depot');
    await eventually(async () => pushesTo(reader.id)[0], 10_000, 'the emergency push');
    const entry = await eventually(async () => (await server.request('GET', '/v1/notifications', { token: reader.token })).body.notifications.find((n: { escalating: boolean }) => !n.escalating), 10_000, 'the batch ended');
    expect(entry.conversation_id).toBe(conversationId);
    expect((await deliveries(reader.id, conversationId)).map((d) => d.channel)).toEqual(['push']);
    expect(smtp.mails.some((m) => JSON.stringify(m.to).includes(reader.id))).toBe(false);
  });
});

describe('notification routes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NOTIFICATIONS_ENABLED: 'true', NOTIFICATION_STEPS: 'none' });
  });
  afterAll(async () => server?.close());

  it('answers a client’s mistakes with validation errors, never a 5xx', async () => {
    const { token } = await server.user(['operator']);
    const cases: [string, string, unknown][] = [
      ['POST', '/v1/notifications/read', { ids: [] }],
      ['POST', '/v1/notifications/read', { all: false }],
      ['POST', '/v1/notifications/read', { ids: ['a'], all: true }],
      ['POST', '/v1/push-subscriptions', { endpoint: 'ftp://push.example', keys: { p256dh: 'x', auth: 'y' } }],
      ['POST', '/v1/push-subscriptions', { endpoint: 'https://push.example/1', keys: { p256dh: 'BAAA', auth: 'AAAA' } }],
      ['POST', '/v1/push-subscriptions', { endpoint: 'https://push.example/1', keys: { p256dh: browserKeys().keys.p256dh } }],
      ['PUT', '/v1/me/notification-settings', { push: true, email: 'sometimes', muted_conversations: [] }],
      ['PUT', '/v1/me/notification-settings', { push: true, email: 'off', muted_conversations: [], quiet_hours: { start: '25:00', end: '07:00' } }],
      ['PUT', '/v1/me/notification-settings', { push: true, email: 'off', muted_conversations: [], quiet_hours: { start: '22:00', end: '07:00', time_zone: 'Mars/Olympus' } }],
      ['GET', '/v1/notifications?limit=0', undefined],
    ];
    for (const [method, path, body] of cases) {
      const response = await server.request(method, path, { token, ...(body !== undefined && { body }) });
      expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(422);
      expect(response.body.error.code).toBe('validation_failed');
    }
  });

  it('keeps every user to their own feed, subscriptions and settings', async () => {
    const alice = await server.user(['operator']);
    const bob = await server.user(['operator']);
    for (const [method, path] of [['GET', '/v1/notifications'], ['GET', '/v1/me/notification-settings'], ['GET', '/v1/push/vapid-public-key']] as const) {
      expect((await server.request(method, path)).status, path).toBe(401);
      const asService = await server.request(method, path, { apiKey: TEST_API_KEY });
      expect(asService.status, path).toBe(403);
    }
    const browser = browserKeys();
    const endpoint = 'https://push.example/alice-phone';
    expect((await server.request('POST', '/v1/push-subscriptions', { token: alice.token, body: { endpoint, keys: browser.keys } })).status).toBe(201);
    // Bob cannot remove Alice's subscription, nor learn it exists.
    const removed = await server.request('DELETE', '/v1/push-subscriptions', { token: bob.token, body: { endpoint } });
    expect(removed.status).toBe(404);
    expect(await server.services.store.notifications.subscriptions(alice.user.id)).toHaveLength(1);
    expect((await server.request('DELETE', '/v1/push-subscriptions', { token: alice.token, body: { endpoint } })).status).toBe(204);

    const saved = await server.request('PUT', '/v1/me/notification-settings', { token: alice.token, body: { push: false, email: 'digest', muted_conversations: ['c1', 'c1'], quiet_hours: { start: '22:00', end: '07:00', time_zone: 'Africa/Addis_Ababa' } } });
    expect(saved.status).toBe(200);
    expect(saved.body.settings).toMatchObject({ push: false, email: 'digest', muted_conversations: ['c1'], quiet_hours: { start: '22:00', end: '07:00', time_zone: 'Africa/Addis_Ababa' } });
    expect((await server.request('GET', '/v1/me/notification-settings', { token: bob.token })).body.settings).toEqual({ push: true, email: 'immediate', quiet_hours: null, muted_conversations: [], updated_at: null });

    // Marking someone else's entry read changes nothing.
    const read = await server.request('POST', '/v1/notifications/read', { token: bob.token, body: { ids: ['not-yours'] } });
    expect(read.body).toEqual({ notifications: [] });
  });
});
