import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, type ClusterNode } from '../support/cluster.js';
import { nodeRequest, nodeUser, startEmbeddedNode } from '../support/embedded-node.js';

describe('an outbox job owed when the process died', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-outbox-crash-'));
  const nodes: ClusterNode[] = [];
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs exactly once after a SIGKILL between the commit and the job: the restarted node stamps the first response', { timeout: 60_000 }, async () => {
    // Jobs off: the reply's job is committed and cannot run before the kill.
    const first = await startEmbeddedNode(0, dataDir, { JOBS_ENABLED: 'false' });
    nodes.push(first);
    const customer = await nodeUser(first, 'crash-customer', ['customer']);
    const agent = await nodeUser(first, 'crash-agent', ['support']);
    const opened = await nodeRequest(first, 'POST', '/v1/support/cases', { token: customer.token, body: { subject: 'Lost parcel', content: 'Where is it?' } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const caseId = opened.body.case.conversation_id as string;
    expect((await nodeRequest(first, 'POST', `/v1/support/cases/${caseId}/accept`, { token: agent.token })).status).toBe(200);
    const reply = await nodeRequest(first, 'POST', `/v1/conversations/${caseId}/messages`, { token: agent.token, body: { content: 'Tracking it now', client_id: 'reply-1' } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    const replyId = reply.body.message.id as string;
    expect((await nodeRequest(first, 'GET', `/v1/support/cases/${caseId}`, { token: agent.token })).body.case.first_response_at).toBeNull();

    expect(await first.kill('SIGKILL')).toBe('SIGKILL');

    const second = await startEmbeddedNode(1, dataDir, { JOB_POLL_MS: '100' });
    nodes.push(second);
    const stamped = await eventually(
      async () => (await nodeRequest(second, 'GET', `/v1/support/cases/${caseId}`, { token: agent.token })).body.case.first_response_at as string | null,
      15_000,
      'first response stamped by the restarted node',
    );
    expect(stamped).toBe(reply.body.message.created_at);
    const history = await nodeRequest(second, 'GET', `/v1/conversations/${caseId}/messages?limit=100`, { token: agent.token });
    expect(history.body.messages.filter((m: { client_id: string | null }) => m.client_id === 'reply-1').map((m: { id: string }) => m.id)).toEqual([replyId]);

    // Stopped, so the file is read as the node left it.
    await second.stop();
    const db = new Database(join(dataDir, 'switchboard.db'), { readonly: true });
    try {
      const jobs = db.prepare("select id, kind, subject_id, attempts, completed_at, failed_at from jobs where subject_id = ? and kind = 'support.first_response'").all(replyId);
      expect(jobs).toEqual([{ id: `${replyId}:support.first_response`, kind: 'support.first_response', subject_id: replyId, attempts: 1, completed_at: expect.any(String), failed_at: null }]);
      expect(db.prepare('select count(*) as n from messages where client_id = ?').get('reply-1')).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });
});
