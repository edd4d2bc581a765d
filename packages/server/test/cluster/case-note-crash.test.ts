import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Cluster, clusterServices, type ClusterNode } from '../support/cluster.js';
import { nodeRequest, nodeUser, startEmbeddedNode } from '../support/embedded-node.js';

const CASES = 150;
const services = clusterServices();

describe('a support case change and its note', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-case-note-crash-'));
  const nodes: ClusterNode[] = [];
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.skipIf(!services)('never come apart: after a SIGKILL among concurrent accepts on PostgreSQL, every accepted case has its note', { timeout: 90_000 }, async () => {
    const cluster = await Cluster.start(services!, { nodes: 1 });
    try {
      const [customer] = await cluster.users(1, ['customer']);
      const agents = await cluster.users(CASES, ['support']);
      const ids: string[] = [];
      for (let i = 0; i < CASES; i++) {
        const opened = await cluster.request(0, 'POST', '/v1/support/cases', { token: customer!.token, body: { subject: `Case ${i}` } });
        ids.push(opened.body.case.conversation_id);
      }
      // Every accept at once; the process dies as soon as the first is answered, mid-flight for the rest.
      await new Promise<void>((resolve) => {
        for (const [i, id] of ids.entries()) void cluster.request(0, 'POST', `/v1/support/cases/${id}/accept`, { token: agents[i]!.token }).then(() => resolve(), () => undefined);
      });
      expect(await cluster.node(0).kill('SIGKILL')).toBe('SIGKILL');

      const db = new pg.Client({ connectionString: cluster.databaseUrl });
      await db.connect();
      try {
        const accepted = (await db.query<{ conversation_id: string }>("select conversation_id from support_cases where status = 'active'")).rows.map((r) => r.conversation_id);
        expect(accepted.length).toBeGreaterThanOrEqual(1);
        const notes = (await db.query<{ conversation_id: string; n: string }>("select conversation_id, count(*) as n from messages where kind = 'system' and metadata::jsonb ->> 'support_change' = 'accepted' group by conversation_id")).rows;
        const noted = new Map(notes.map((r) => [r.conversation_id, Number(r.n)]));
        expect(accepted.filter((id) => noted.get(id) !== 1)).toEqual([]);
        expect(notes.filter((n) => !accepted.includes(n.conversation_id))).toEqual([]);
      } finally {
        await db.end();
      }
    } finally {
      await cluster.close();
    }
  });

  it('answers the winning agent’s retried accept and a retried close with the case, not a conflict', async () => {
    const node = await startEmbeddedNode(0, dataDir);
    nodes.push(node);
    const customer = await nodeUser(node, 'retry-customer', ['customer']);
    const agent = await nodeUser(node, 'retry-agent', ['support']);
    const other = await nodeUser(node, 'retry-other', ['support']);
    const id = (await nodeRequest(node, 'POST', '/v1/support/cases', { token: customer.token, body: { subject: 'Retry' } })).body.case.conversation_id;
    for (let i = 0; i < 2; i++) {
      const accept = await nodeRequest(node, 'POST', `/v1/support/cases/${id}/accept`, { token: agent.token });
      expect(accept.status, `accept ${i}`).toBe(200);
      expect(accept.body.case).toMatchObject({ status: 'active', assigned_agent_id: agent.id });
    }
    expect((await nodeRequest(node, 'POST', `/v1/support/cases/${id}/accept`, { token: other.token })).status).toBe(409);
    for (let i = 0; i < 2; i++) {
      const close = await nodeRequest(node, 'POST', `/v1/support/cases/${id}/status`, { token: agent.token, body: { status: 'closed' } });
      expect(close.status, `close ${i}`).toBe(200);
      expect(close.body.case.status).toBe('closed');
    }
    const history = await nodeRequest(node, 'GET', `/v1/conversations/${id}/messages?limit=100`, { token: agent.token });
    const changes = history.body.messages.filter((m: { kind: string }) => m.kind === 'system').map((m: { metadata: { support_change: string } }) => m.metadata.support_change);
    expect(changes).toEqual(['accepted', 'closed']);
  });
});
