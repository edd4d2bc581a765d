import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/cluster.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

/** A policy with the default roles and queues set to the given strategies. */
function policyFile(queues: Record<string, string>, extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-policy-'));
  const file = join(dir, 'policy.yaml');
  const queueLines = Object.entries(queues).map(([q, a]) => `    ${q}: { assignment: ${a} }`).join('\n');
  writeFileSync(
    file,
    `roles:
  customer: { abilities: [support.create, conversations.create] }
  BUS_DRIVER: { abilities: [support.create] }
  support: { abilities: [support.handle, support.monitor, conversations.create] }
  supervisor: { abilities: [support.monitor] }
support:
  queues:
${queueLines}
  agent_capacity: 2
  offline_grace_seconds: 0
${extra}`,
  );
  return file;
}

describe('support cases over REST', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ POLICY_FILE: policyFile({ general_support: 'manual', driver_support: 'manual' }) });
  });
  afterAll(() => server.close());

  const open = (token: string, body: unknown) => server.request('POST', '/v1/support/cases', { token, body });

  it('opens a waiting case with its first message, visible to agents but not to other customers', async () => {
    const customer = await server.user(['customer']);
    const agent = await server.user(['support']);
    const other = await server.user(['customer']);
    const res = await open(customer.token, { subject: 'Order late', content: 'My order #42 is 30 min late', priority: 'high', category: 'order_issue', links: { restaurant: 'r-9' } });
    expect(res.status).toBe(201);
    expect(res.body.case).toMatchObject({ queue: 'general_support', status: 'waiting', priority: 'high', category: 'order_issue', subject: 'Order late', requester_id: customer.user.id, assigned_agent_id: null });
    expect(res.body.first_message).toMatchObject({ seq: 1, content: 'My order #42 is 30 min late' });
    const id = res.body.case.conversation_id;
    expect((await server.request('GET', `/v1/support/cases/${id}`, { token: agent.token })).status).toBe(200);
    expect((await server.request('GET', `/v1/conversations/${id}/messages`, { token: agent.token })).body.messages).toHaveLength(1);
    expect((await server.request('GET', `/v1/support/cases/${id}`, { token: other.token })).status).toBe(404);
    const mine = await server.request('GET', '/v1/support/cases', { token: other.token });
    expect(mine.body.cases.map((c: { conversation_id: string }) => c.conversation_id)).not.toContain(id);
  });

  it('lets exactly one of two agents accepting at once win; the other gets "Chat already accepted"', async () => {
    const customer = await server.user(['customer']);
    const agents = await Promise.all([server.user(['support']), server.user(['support'])]);
    const id = (await open(customer.token, { subject: 'Race', content: 'who takes me?' })).body.case.conversation_id;
    const results = await Promise.all(agents.map((a) => server.request('POST', `/v1/support/cases/${id}/accept`, { token: a.token })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    const loser = results.find((r) => r.status === 409)!;
    expect(loser.body.error).toMatchObject({ code: 'case_already_accepted', message: 'Chat already accepted' });
    const winner = results.find((r) => r.status === 200)!;
    expect(winner.body.case).toMatchObject({ status: 'active' });
    expect(winner.body.case.accepted_at).not.toBeNull();
    const page = await server.request('GET', `/v1/conversations/${id}/messages`, { token: customer.token });
    expect(page.body.messages.at(-1)).toMatchObject({ kind: 'system', sender_id: null });
  });

  it('runs the lifecycle waiting → active → resolved → closed with SLA stamps, reopen from resolved, and refuses bad moves', async () => {
    const customer = await server.user(['customer']);
    const agent = await server.user(['support']);
    const id = (await open(customer.token, { subject: 'Refund', content: 'please refund' })).body.case.conversation_id;
    const status = (token: string, s: string) => server.request('POST', `/v1/support/cases/${id}/status`, { token, body: { status: s } });
    expect((await status(agent.token, 'resolved')).status).toBe(409);
    await server.request('POST', `/v1/support/cases/${id}/accept`, { token: agent.token });
    await server.request('POST', `/v1/conversations/${id}/messages`, { token: agent.token, body: { content: 'Looking into it' } });
    // Stamped by the outbox job the reply wrote, moments after the reply commits.
    await eventually(async () => (await server.request('GET', `/v1/support/cases/${id}`, { token: agent.token })).body.case.first_response_at !== null, 5000, 'first response stamped');
    expect((await status(customer.token, 'resolved')).status).toBe(403);
    const resolved = await status(agent.token, 'resolved');
    expect(resolved.body.case).toMatchObject({ status: 'resolved' });
    expect(resolved.body.case.resolved_at).not.toBeNull();
    expect((await status(customer.token, 'active')).body.case.status).toBe('active');
    await status(agent.token, 'resolved');
    const closed = await status(customer.token, 'closed');
    expect(closed.body.case.status).toBe('closed');
    expect(closed.body.case.closed_at).not.toBeNull();
    expect((await status(agent.token, 'active')).status).toBe(409);
    expect((await status(agent.token, 'waiting')).status).toBe(409);
    const late = await server.request('POST', `/v1/conversations/${id}/messages`, { token: customer.token, body: { content: 'hello?' } });
    expect(late.body.error.code).toBe('conversation_closed');
  });

  it('takes one CSAT rating from the customer, only once and only when resolved or closed', async () => {
    const customer = await server.user(['customer']);
    const agent = await server.user(['support']);
    const id = (await open(customer.token, { subject: 'Rate me', content: 'x' })).body.case.conversation_id;
    const rate = (token: string, body: unknown) => server.request('POST', `/v1/support/cases/${id}/rating`, { token, body });
    expect((await rate(customer.token, { score: 5 })).body.error.code).toBe('invalid_transition');
    await server.request('POST', `/v1/support/cases/${id}/accept`, { token: agent.token });
    await server.request('POST', `/v1/support/cases/${id}/status`, { token: agent.token, body: { status: 'resolved' } });
    expect((await rate(agent.token, { score: 1 })).status).toBe(403);
    expect((await rate(customer.token, { score: 6 })).status).toBe(422);
    const rated = await rate(customer.token, { score: 4, comment: 'quick' });
    expect(rated.body.case).toMatchObject({ csat_score: 4, csat_comment: 'quick' });
    const again = await rate(customer.token, { score: 1 });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_rated');
  });

  it('assigns and transfers by staff, records why, and refuses non-agents', async () => {
    const customer = await server.user(['customer']);
    const lead = await server.user(['support']);
    const agent = await server.user(['support']);
    const id = (await open(customer.token, { subject: 'Transfer', content: 'x' })).body.case.conversation_id;
    expect((await server.request('POST', `/v1/support/cases/${id}/assign`, { token: customer.token, body: { agent_id: agent.user.id } })).status).toBe(403);
    expect((await server.request('POST', `/v1/support/cases/${id}/assign`, { token: lead.token, body: { agent_id: customer.user.id } })).status).toBe(422);
    const assigned = await server.request('POST', `/v1/support/cases/${id}/assign`, { token: lead.token, body: { agent_id: agent.user.id, reason: 'speaks Amharic' } });
    expect(assigned.body.case).toMatchObject({ status: 'active', assigned_agent_id: agent.user.id });
    expect(assigned.body.case.assignment_reason).toContain('speaks Amharic');
    expect((await server.request('POST', `/v1/conversations/${id}/messages`, { token: agent.token, body: { content: 'hi' } })).status).toBe(201);
    const moved = await server.request('POST', `/v1/support/cases/${id}/assign`, { token: lead.token, body: { queue: 'driver_support' } });
    expect(moved.body.case).toMatchObject({ queue: 'driver_support', status: 'waiting', assigned_agent_id: null });
    expect((await server.request('POST', `/v1/support/cases/${id}/assign`, { token: lead.token, body: { queue: 'nowhere' } })).status).toBe(422);
  });

  it('reports queue statistics to staff only', async () => {
    const customer = await server.user(['customer']);
    const supervisor = await server.user(['supervisor']);
    await open(customer.token, { subject: 'Stats', content: 'x' });
    const stats = await server.request('GET', '/v1/support/queues', { token: supervisor.token });
    const general = stats.body.queues.find((q: { queue: string }) => q.queue === 'general_support');
    expect(general.waiting).toBeGreaterThan(0);
    expect(general.oldest_waiting_since).not.toBeNull();
    expect(Array.isArray(general.active_by_agent)).toBe(true);
    expect((await server.request('GET', '/v1/support/queues', { token: customer.token })).status).toBe(403);
  });

  it('refuses case creation to roles without support.create', async () => {
    const agent = await server.user(['support']);
    expect((await open(agent.token, { subject: 'x', content: 'y' })).status).toBe(403);
  });
});

describe('automatic assignment', () => {
  const servers: TestServer[] = [];
  const sockets: TestWsClient[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    for (const s of servers.splice(0)) await s.close();
  });

  async function setup(strategy: 'round_robin' | 'least_loaded') {
    const server = await startTestServer({ POLICY_FILE: policyFile({ general_support: strategy }) });
    servers.push(server);
    return server;
  }
  const online = async (server: TestServer, token: string) => {
    const socket = await TestWsClient.authenticated(server.url, token);
    sockets.push(socket);
    return socket;
  };
  const openCase = async (server: TestServer, token: string, priority = 'medium') =>
    (await server.request('POST', '/v1/support/cases', { token, body: { subject: `s-${priority}`, content: 'help', priority } })).body.case;
  const caseOf = async (server: TestServer, token: string, id: string) => (await server.request('GET', `/v1/support/cases/${id}`, { token })).body.case;

  it('round robin deals cases to online agents in turn and skips offline ones', async () => {
    const server = await setup('round_robin');
    const [a, b, offline] = await Promise.all([server.user(['support'], 'rr-a'), server.user(['support'], 'rr-b'), server.user(['support'], 'rr-c')]);
    await online(server, a.token);
    await online(server, b.token);
    const customer = await server.user(['customer']);
    const cases = [await openCase(server, customer.token), await openCase(server, customer.token), await openCase(server, customer.token)];
    expect(cases.map((c) => c.assigned_agent_id)).toEqual(['rr-a', 'rr-b', 'rr-a']);
    expect(cases[0].assignment_reason).toBe('round_robin');
    expect(cases.every((c) => c.assigned_agent_id !== offline.user.id)).toBe(true);
  });

  it('least loaded respects capacity, keeps the rest waiting, and drains the backlog by priority when capacity frees', async () => {
    const server = await setup('least_loaded');
    const agent = await server.user(['support'], 'll-a');
    await online(server, agent.token);
    const customer = await server.user(['customer']);
    const first = await openCase(server, customer.token);
    const second = await openCase(server, customer.token);
    expect([first.assigned_agent_id, second.assigned_agent_id]).toEqual(['ll-a', 'll-a']);
    expect(second.assignment_reason).toBe('least_loaded: 1 of 2 active');
    const low = await openCase(server, customer.token, 'low');
    const urgent = await openCase(server, customer.token, 'urgent');
    expect(low.status).toBe('waiting');
    expect(urgent.status).toBe('waiting');
    await server.request('POST', `/v1/support/cases/${first.conversation_id}/status`, { token: agent.token, body: { status: 'resolved' } });
    expect((await caseOf(server, agent.token, urgent.conversation_id)).assigned_agent_id).toBe('ll-a');
    expect((await caseOf(server, agent.token, low.conversation_id)).status).toBe('waiting');
  });

  it('makes every connection of an automatically assigned agent follow the case, with live messages', async () => {
    const server = await setup('round_robin');
    const agent = await server.user(['support'], 'rr-follow');
    const first = await online(server, agent.token);
    const second = await online(server, agent.token);
    const customer = await server.user(['customer']);
    const opened = await openCase(server, customer.token);
    expect(opened.assigned_agent_id).toBe('rr-follow');
    for (const socket of [first, second]) {
      expect(await socket.next((f) => f.type === 'conversation_added' && f.conversation_id === opened.conversation_id)).toMatchObject({ conversation_id: opened.conversation_id });
    }
    await server.request('POST', `/v1/conversations/${opened.conversation_id}/messages`, { token: customer.token, body: { content: 'are you there?' } });
    for (const socket of [first, second]) {
      expect(await socket.next((f) => f.type === 'message_notification' && f.conversation_id === opened.conversation_id && f.preview === 'are you there?')).toMatchObject({ from_user_id: customer.user.id });
    }
  });

  it('assigns waiting cases when an agent comes online', async () => {
    const server = await setup('least_loaded');
    const agent = await server.user(['support'], 'late-agent');
    const customer = await server.user(['customer']);
    const waiting = await openCase(server, customer.token);
    expect(waiting.status).toBe('waiting');
    const socket = await online(server, agent.token);
    await socket.next((f) => f.type === 'support_case_updated' || f.type === 'message_notification', 5000).catch(() => undefined);
    await expect.poll(async () => (await caseOf(server, agent.token, waiting.conversation_id)).assigned_agent_id, { timeout: 5000 }).toBe('late-agent');
  });
});
