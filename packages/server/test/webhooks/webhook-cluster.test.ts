import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, CLUSTER_API_KEY, clusterServices, eventually } from '../support/cluster.js';
import { status, TestReceiver } from './receiver.js';

const services = clusterServices();

describe.skipIf(!services)('webhooks on two nodes over one PostgreSQL and Redis', () => {
  let cluster: Cluster;
  let hook: TestReceiver;
  beforeAll(async () => {
    // A slow answer keeps deliveries in flight on both nodes at once.
    hook = await TestReceiver.start(async (_n, _r, res) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status(200)(res);
    });
    cluster = await Cluster.start(services!, { nodes: 2, env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_SCHEDULE: '200ms', JOB_POLL_MS: '20' } });
  }, 90_000);
  afterAll(async () => {
    await cluster?.close();
    await hook?.close();
  });

  it('delivers every event once, whichever node wrote it and whichever runs it', { timeout: 60_000 }, async () => {
    const registered = await cluster.request(0, 'POST', '/v1/webhooks', { apiKey: CLUSTER_API_KEY, body: { url: hook.url, events: ['message.created'] } });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const [alice, bob] = await cluster.users(2, ['CONTROL_STAFF']);
    const id = await cluster.conversation([alice!, bob!]);
    const messageIds = (received = hook.received) => received.map((r) => (JSON.parse(r.body) as { data: { message: { id: string } } }).data.message.id);
    // Node 1 learns of the endpoint within its refresh; until then its messages owe no event.
    await eventually(async () => {
      const probe = await cluster.request(1, 'POST', `/v1/conversations/${id}/messages`, { token: bob!.token, body: { content: 'probe' } });
      await new Promise((resolve) => setTimeout(resolve, 200));
      return messageIds().includes(probe.body.message.id);
    }, 15_000, 'node 1 writing events');

    const sent: string[] = [];
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const node = i % 2;
        const res = await cluster.request(node, 'POST', `/v1/conversations/${id}/messages`, { token: (node === 0 ? alice : bob)!.token, body: { content: `m${i}` } });
        expect(res.status).toBe(201);
        sent.push(res.body.message.id as string);
      }),
    );
    await eventually(async () => sent.every((m) => messageIds().includes(m)), 30_000, 'every event delivered');
    // Time for a duplicate to show, had a second node run a job already claimed.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ours = hook.received.filter((r) => sent.includes(messageIds([r])[0]!));
    expect(messageIds(ours).sort()).toEqual([...sent].sort());
    expect(new Set(ours.map((r) => r.headers['webhook-id'])).size).toBe(sent.length);
  });
});
