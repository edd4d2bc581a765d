import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CLUSTER_API_KEY, CLUSTER_JWT_SECRET, ClusterNode, eventually, mintToken } from '../support/cluster.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'switchboard.js');

/** One `switchboard serve` process on the embedded store in `dataDir` (no PostgreSQL, no Redis). */
function startNode(index: number, dataDir: string, env: Record<string, string>): Promise<ClusterNode> {
  const { DATABASE_URL: _database, REDIS_URL: _redis, ...inherited } = process.env;
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...inherited, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', JWT_SECRET: CLUSTER_JWT_SECRET, API_KEYS: CLUSTER_API_KEY, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new ClusterNode(index, child, dataDir).serving();
}

async function request(node: ClusterNode, method: string, path: string, options: { token?: string; apiKey?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${node.url}${path}`, { method, headers, ...(options.body !== undefined && { body: JSON.stringify(options.body) }) });
  return { status: response.status, body: (await response.json()) as any };
}

async function user(node: ClusterNode, id: string, roles: string[]) {
  const created = await request(node, 'PUT', `/v1/users/${id}`, { apiKey: CLUSTER_API_KEY, body: { roles, display_name: id } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { id, token: await mintToken(id, roles) };
}

describe('an outbox job owed when the process died', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-outbox-crash-'));
  const nodes: ClusterNode[] = [];
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs exactly once after a SIGKILL between the commit and the job: the restarted node stamps the first response', { timeout: 60_000 }, async () => {
    // Jobs off: the reply's job is committed and cannot run before the kill.
    const first = await startNode(0, dataDir, { JOBS_ENABLED: 'false' });
    nodes.push(first);
    const customer = await user(first, 'crash-customer', ['customer']);
    const agent = await user(first, 'crash-agent', ['support']);
    const opened = await request(first, 'POST', '/v1/support/cases', { token: customer.token, body: { subject: 'Lost parcel', content: 'Where is it?' } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const caseId = opened.body.case.conversation_id as string;
    expect((await request(first, 'POST', `/v1/support/cases/${caseId}/accept`, { token: agent.token })).status).toBe(200);
    const reply = await request(first, 'POST', `/v1/conversations/${caseId}/messages`, { token: agent.token, body: { content: 'Tracking it now', client_id: 'reply-1' } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    const replyId = reply.body.message.id as string;
    expect((await request(first, 'GET', `/v1/support/cases/${caseId}`, { token: agent.token })).body.case.first_response_at).toBeNull();

    expect(await first.kill('SIGKILL')).toBe('SIGKILL');

    const second = await startNode(1, dataDir, { JOB_POLL_MS: '100' });
    nodes.push(second);
    const stamped = await eventually(
      async () => (await request(second, 'GET', `/v1/support/cases/${caseId}`, { token: agent.token })).body.case.first_response_at as string | null,
      15_000,
      'first response stamped by the restarted node',
    );
    expect(stamped).toBe(reply.body.message.created_at);
    const history = await request(second, 'GET', `/v1/conversations/${caseId}/messages?limit=100`, { token: agent.token });
    expect(history.body.messages.filter((m: { client_id: string | null }) => m.client_id === 'reply-1').map((m: { id: string }) => m.id)).toEqual([replyId]);

    // Stopped, so the file is read as the node left it.
    await second.stop();
    const db = new Database(join(dataDir, 'switchboard.db'), { readonly: true });
    try {
      const jobs = db.prepare('select id, kind, subject_id, attempts, completed_at, failed_at from jobs where subject_id = ?').all(replyId);
      expect(jobs).toEqual([{ id: `${replyId}:support.first_response`, kind: 'support.first_response', subject_id: replyId, attempts: 1, completed_at: expect.any(String), failed_at: null }]);
      expect(db.prepare('select count(*) as n from messages where client_id = ?').get('reply-1')).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });
});
