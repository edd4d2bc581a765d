import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { CLUSTER_API_KEY, Cluster, clusterServices, eventually } from '../support/cluster.js';
import { WEBHOOK_TEST_SECRET } from './webhook-test-secret.js';
import { browserKeys, startRecorder } from './notification-peers.js';

const services = clusterServices();
const POLICY = {
  ...DEFAULT_POLICY,
  notifications: { escalation: { general: [{ after: '0s', channel: 'sms_webhook' }, { after: '1s', channel: 'push' }] } },
};
const CONVERSATIONS = 6;

describe.skipIf(!services)('escalation across two nodes on PostgreSQL and Redis', () => {
  let cluster: Cluster;
  let dir: string;
  let pushService: Awaited<ReturnType<typeof startRecorder>>;
  let hostApp: Awaited<ReturnType<typeof startRecorder>>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-notify-cluster-'));
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(POLICY));
    pushService = await startRecorder(() => 201);
    hostApp = await startRecorder(() => 200);
    const vapid = webpush.generateVAPIDKeys();
    cluster = await Cluster.start(services!, {
      nodes: 2,
      env: {
        POLICY_FILE: join(dir, 'policy.json'),
        JOB_POLL_MS: '50', NOTIFICATIONS_ENABLED: 'true',
        SEND_RATE_POINTS: '1000',
        NOTIFICATION_STEPS: 'none',
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
        ESCALATION_WEBHOOK_URL: `${hostApp.url}/escalate`,
        ESCALATION_WEBHOOK_SECRET: WEBHOOK_TEST_SECRET,
      },
    });
  }, 90_000);
  afterAll(async () => {
    await cluster?.close();
    await Promise.all([pushService?.close(), hostApp?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sends each step of each batch once, whichever node took the message and ran the jobs', { timeout: 60_000 }, async () => {
    const [sender, reader] = await cluster.users(2, ['operator']);
    const subscribed = await cluster.request(1, 'POST', '/v1/push-subscriptions', { token: reader!.token, body: { endpoint: `${pushService.url}/reader`, keys: browserKeys().keys } });
    expect(subscribed.status, JSON.stringify(subscribed.body)).toBe(201);
    const conversations: string[] = [];
    for (let i = 0; i < CONVERSATIONS; i++) {
      const created = await cluster.request(i % 2, 'POST', '/v1/conversations', { apiKey: CLUSTER_API_KEY, body: { type: 'general', participant_ids: [sender!.id, reader!.id] } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      conversations.push(created.body.conversation.id as string);
    }
    // The messages of a conversation land on both nodes; the schedulers of both run its jobs.
    for (const id of conversations) {
      for (const node of [0, 1, 0, 1]) expect((await cluster.request(node, 'POST', `/v1/conversations/${id}/messages`, { token: sender!.token, body: { content: `from node ${node}` } })).status).toBe(201);
    }
    const db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    try {
      const batches = async () => (await db.query<{ n: number }>("select count(*)::int as n from notifications where user_id = $1", [reader!.id])).rows[0]!.n;
      await eventually(async () => {
        const { rows } = await db.query("select count(*)::int as n from jobs where kind like 'notifications.%' and completed_at is null");
        return rows[0].n === 0 && pushService.requests.length >= CONVERSATIONS && pushService.requests.length === (await batches());
      }, 30_000, 'every notification job done');
      // Every message was scheduled, once: the batches of each conversation cover its four
      // messages without overlap (a busy machine may split a conversation into more batches).
      const { rows: covered } = await db.query<{ conversation_id: string; messages: number }>('select conversation_id, sum(message_count)::int as messages from notifications where user_id = $1 group by conversation_id order by conversation_id', [reader!.id]);
      expect(covered).toEqual([...conversations].sort().map((id) => ({ conversation_id: id, messages: 4 })));
      const n = await batches();
      const { rows } = await db.query('select channel, count(*)::int as n from notification_deliveries where outcome = $1 group by channel order by channel', ['sent']);
      expect(rows).toEqual([{ channel: 'push', n }, { channel: 'sms_webhook', n }]);
      // What the peers received matches the record: one call per step and batch, none twice.
      expect(pushService.requests).toHaveLength(n);
      expect(hostApp.requests).toHaveLength(n);
      expect(new Set(hostApp.requests.map((r) => r.headers['webhook-id'])).size).toBe(n);
      const calls = hostApp.requests.map((r) => JSON.parse(r.body.toString()) as { conversation_id: string });
      expect(new Set(calls.map((c) => c.conversation_id))).toEqual(new Set(conversations));
    } finally {
      await db.end();
    }
  });
});
