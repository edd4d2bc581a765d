import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { CLUSTER_API_KEY, eventually, type ClusterNode } from '../support/cluster.js';
import { nodeRequest, nodeUser, startEmbeddedNode } from '../support/embedded-node.js';
import { browserKeys, decryptPush, startRecorder } from './notification-peers.js';

/** Long enough that the kill lands before the step is due, short enough to keep the file quick. */
const POLICY = { ...DEFAULT_POLICY, notifications: { escalation: { general: [{ after: '4s', channel: 'push' }] } } };

describe('an escalation step owed when the process died', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-notify-crash-'));
  const nodes: ClusterNode[] = [];
  let pushService: Awaited<ReturnType<typeof startRecorder>>;
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await pushService?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const stepJobs = () => {
    const db = new Database(join(dataDir, 'switchboard.db'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare("select id, attempts, completed_at from jobs where kind = 'notifications.step'").all() as { id: string; attempts: number; completed_at: string | null }[];
    } finally {
      db.close();
    }
  };

  it('is sent once by the restarted node after a SIGKILL between scheduling and sending', { timeout: 90_000 }, async () => {
    pushService = await startRecorder(() => 201);
    writeFileSync(join(dataDir, 'policy.json'), JSON.stringify(POLICY));
    const env = { POLICY_FILE: join(dataDir, 'policy.json'), JOB_POLL_MS: '50', NOTIFICATIONS_ENABLED: 'true', NOTIFICATION_STEPS: 'none' };
    const first = await startEmbeddedNode(0, dataDir, env);
    nodes.push(first);
    const sender = await nodeUser(first, 'crash-sender', ['operator']);
    const reader = await nodeUser(first, 'crash-reader', ['operator']);
    const browser = browserKeys();
    const subscribed = await nodeRequest(first, 'POST', '/v1/push-subscriptions', { token: reader.token, body: { endpoint: `${pushService.url}/reader`, keys: browser.keys } });
    expect(subscribed.status, JSON.stringify(subscribed.body)).toBe(201);
    const created = await nodeRequest(first, 'POST', '/v1/conversations', { apiKey: CLUSTER_API_KEY, body: { type: 'general', participant_ids: [sender.id, reader.id] } });
    const conversationId = created.body.conversation.id as string;
    expect((await nodeRequest(first, 'POST', `/v1/conversations/${conversationId}/messages`, { token: sender.token, body: { content: 'Still at the depot?' } })).status).toBe(201);

    // Scheduled: the step's job is written, not yet due.
    await eventually(async () => stepJobs().length === 1, 15_000, 'the push step scheduled');
    expect(await first.kill('SIGKILL')).toBe('SIGKILL');
    expect(pushService.requests).toEqual([]);
    expect(stepJobs()).toEqual([expect.objectContaining({ completed_at: null })]);

    const second = await startEmbeddedNode(1, dataDir, env);
    nodes.push(second);
    const push = await eventually(async () => pushService.requests[0], 20_000, 'the push sent by the restarted node');
    expect(decryptPush(push.body, browser)).toMatchObject({ type: 'notification', conversation_id: conversationId, body: 'crash-sender: Still at the depot?' });
    await eventually(async () => stepJobs()[0]?.completed_at, 15_000, 'the step job completed');
    await second.stop();
    expect(pushService.requests).toHaveLength(1);
    expect(stepJobs()).toEqual([expect.objectContaining({ attempts: 1, completed_at: expect.any(String) })]);
    const db = new Database(join(dataDir, 'switchboard.db'), { readonly: true });
    try {
      expect(db.prepare('select channel, outcome, step from notification_deliveries').all()).toEqual([{ channel: 'push', outcome: 'sent', step: 0 }]);
    } finally {
      db.close();
    }
  });
});
