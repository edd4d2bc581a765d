import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { CLUSTER_API_KEY, eventually, type ClusterNode } from '../support/cluster.js';
import { nodeRequest, nodeUser, startEmbeddedNode } from '../support/embedded-node.js';
import { inTurn, TestReceiver } from './receiver.js';

describe('a webhook event owed when the process died', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-webhook-crash-'));
  const nodes: ClusterNode[] = [];
  let hook: TestReceiver | undefined;
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await hook?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is delivered by the restarted process after a SIGKILL right after the commit', { timeout: 60_000 }, async () => {
    hook = await TestReceiver.start(inTurn(200));
    const env = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_SCHEDULE: '200ms' };
    // Jobs off: the message's event is committed with it and cannot run before the kill.
    const first = await startEmbeddedNode(0, dataDir, { ...env, JOBS_ENABLED: 'false' });
    nodes.push(first);
    const registered = await nodeRequest(first, 'POST', '/v1/webhooks', { apiKey: CLUSTER_API_KEY, body: { url: hook.url, events: ['message.created'] } });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const alice = await nodeUser(first, 'crash-alice', ['driver']);
    const bob = await nodeUser(first, 'crash-bob', ['driver']);
    const conversation = await nodeRequest(first, 'POST', '/v1/conversations', { token: alice.token, body: { participant_ids: [bob.id] } });
    const sent = await nodeRequest(first, 'POST', `/v1/conversations/${conversation.body.conversation.id}/messages`, { token: alice.token, body: { content: 'Engine failure at km 40' } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);

    expect(await first.kill('SIGKILL')).toBe('SIGKILL');
    expect(hook.received).toHaveLength(0);

    const second = await startEmbeddedNode(1, dataDir, { ...env, JOB_POLL_MS: '100' });
    nodes.push(second);
    await eventually(async () => hook!.received.length > 0, 15_000, 'the event delivered by the restarted node');
    const body = new Webhook(registered.body.secret).verify(hook.received[0]!.body, hook.received[0]!.headers as Record<string, string>);
    expect(body).toMatchObject({ type: 'message.created', data: { message: { id: sent.body.message.id, content: 'Engine failure at km 40' } } });
    await eventually(async () => (await nodeRequest(second, 'GET', `/v1/webhooks/${registered.body.id}/deliveries?status=succeeded`, { apiKey: CLUSTER_API_KEY })).body.deliveries.length === 1, 5000, 'the delivery recorded');
    expect(hook.received).toHaveLength(1);
  });
});
