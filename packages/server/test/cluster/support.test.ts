import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, clusterServices, eventually, type ClusterUser } from '../support/cluster.js';

const services = clusterServices();

/**
 * One queue per strategy, each staffed by its own role, so agents of one test never count as
 * candidates in another.
 */
const POLICY = `
roles:
  customer: { abilities: [support.create, conversations.create] }
  agent_ll: { abilities: [support.handle, support.monitor] }
  agent_rr: { abilities: [support.handle, support.monitor] }
  agent_manual: { abilities: [support.handle, support.monitor] }
  agent_late: { abilities: [support.handle, support.monitor] }
support:
  queues:
    general_support: { assignment: least_loaded, staff_roles: [agent_ll] }
    driver_support: { assignment: round_robin, staff_roles: [agent_rr] }
    emergency_support: { assignment: manual, staff_roles: [agent_manual] }
    regulator_support: { assignment: least_loaded, staff_roles: [agent_late] }
  agent_capacity: 5
  offline_grace_seconds: 0
`;

describe.skipIf(!services)('support assignment across nodes', () => {
  let cluster: Cluster;
  let policyDir: string;
  beforeAll(async () => {
    policyDir = mkdtempSync(join(tmpdir(), 'switchboard-cluster-policy-'));
    writeFileSync(join(policyDir, 'policy.yaml'), POLICY);
    cluster = await Cluster.start(services!, { nodes: 3, env: { POLICY_FILE: join(policyDir, 'policy.yaml'), SEND_RATE_POINTS: '1000' } });
  });
  afterEach(() => cluster?.closeClients());
  afterAll(async () => {
    await cluster?.close();
    rmSync(policyDir, { recursive: true, force: true });
  });

  const open = async (node: number, customer: ClusterUser, queue: string, subject = 'Help') => {
    const res = await cluster.request(node, 'POST', '/v1/support/cases', { token: customer.token, body: { subject, content: `${subject}, please`, queue } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.case as { conversation_id: string; status: string; assigned_agent_id: string | null; assignment_reason: string | null };
  };
  const caseOf = async (node: number, who: ClusterUser, id: string) => (await cluster.request(node, 'GET', `/v1/support/cases/${id}`, { token: who.token })).body.case;

  it('least_loaded: a case opened on node 0 goes to the less loaded of two agents connected to nodes 1 and 2, who are told live', async () => {
    const customer = await cluster.user(['customer']);
    const [first, second] = (await cluster.users(2, ['agent_ll'])).sort((x, y) => x.id.localeCompare(y.id));
    const native = await cluster.ws(1, first!);
    expect(await native.request('join_support_room', { room_type: 'general_support' })).toMatchObject({ success: true });
    const sio = await cluster.sio(2, second!);

    const cases = [];
    for (let i = 0; i < 4; i++) cases.push(await open(0, customer, 'general_support', `Order ${i}`));
    // Ties go to the first by id, then the load decides: one each, in turn.
    expect(cases.map((c) => c.assigned_agent_id)).toEqual([first!.id, second!.id, first!.id, second!.id]);
    expect(cases.map((c) => c.status)).toEqual(['active', 'active', 'active', 'active']);
    expect(cases[2]!.assignment_reason).toBe('least_loaded: 1 of 5 active');

    const mine = cases.filter((c) => c.assigned_agent_id === first!.id).map((c) => c.conversation_id);
    for (const id of mine) {
      expect(await native.next((f) => f.type === 'support_case_updated' && f.conversation_id === id && f.change === 'assigned')).toMatchObject({ agent_id: first!.id, status: 'active' });
    }
    const theirs = cases.filter((c) => c.assigned_agent_id === second!.id).map((c) => c.conversation_id);
    for (const id of theirs) {
      expect(await sio.next('chat_accepted', (d) => d.session.id === id)).toMatchObject({ agent_id: second!.id });
    }
    // The assigned agent can work the case from its own node.
    expect(await native.request('send_chat_message', { conversation_id: mine[0], content: 'On it' })).toMatchObject({ success: true });
  });

  it('least_loaded: a case waiting for lack of agents goes to the first agent who connects, on another node', async () => {
    const customer = await cluster.user(['customer']);
    const waiting = await open(0, customer, 'regulator_support', 'Nobody there');
    expect(waiting).toMatchObject({ status: 'waiting', assigned_agent_id: null });
    const late = await cluster.user(['agent_late']);
    await cluster.ws(2, late);
    const assigned = await eventually(async () => {
      const now = await caseOf(1, customer, waiting.conversation_id);
      return now.assigned_agent_id === late.id && now;
    }, 10_000, 'the waiting case is assigned to the agent who connected');
    expect(assigned.status).toBe('active');
  });

  it('round_robin: deals in turn across the cluster, whichever node opens the case', async () => {
    const customer = await cluster.user(['customer']);
    const agents = (await cluster.users(2, ['agent_rr'])).sort((x, y) => x.id.localeCompare(y.id));
    await cluster.ws(1, agents[0]!);
    await cluster.sio(2, agents[1]!);
    const dealt = [];
    for (let i = 0; i < 6; i++) dealt.push((await open(i % 3, customer, 'driver_support', `Route ${i}`)).assigned_agent_id);
    const [a, b] = agents.map((x) => x.id);
    expect(dealt).toEqual([a, b, a, b, a, b]);
  });

  it('manual: of two agents on two nodes accepting the same case at once, exactly one wins, every time', async () => {
    const customer = await cluster.user(['customer']);
    const [one, two] = await cluster.users(2, ['agent_manual']);
    const sioOne = await cluster.sio(1, one!);
    const sioTwo = await cluster.sio(2, two!);
    for (let round = 0; round < 8; round++) {
      const opened = await open(round % 3, customer, 'emergency_support', `Emergency ${round}`);
      expect(opened.status).toBe('waiting');
      const id = opened.conversation_id;
      const overSocketIo = round % 2 === 1;
      const results = overSocketIo
        ? await Promise.all([sioOne.request('accept_chat', { session_id: id }), sioTwo.request('accept_chat', { session_id: id })]).then((acks) =>
            acks.map((ack) => ({ won: ack.success === true, code: ack.code as string | undefined })),
          )
        : await Promise.all([
            cluster.request(1, 'POST', `/v1/support/cases/${id}/accept`, { token: one!.token }),
            cluster.request(2, 'POST', `/v1/support/cases/${id}/accept`, { token: two!.token }),
          ]).then((replies) => replies.map((r) => ({ won: r.status === 200, code: r.body.error?.code as string | undefined })));
      expect(results.filter((r) => r.won)).toHaveLength(1);
      expect(results.find((r) => !r.won)?.code).toBe('case_already_accepted');
      const winner = results[0]!.won ? one! : two!;
      const now = await caseOf(0, customer, id);
      expect(now).toMatchObject({ status: 'active', assigned_agent_id: winner.id });
      const history = await cluster.history(id, customer);
      expect(history.filter((m) => m.kind === 'system' && m.metadata?.support_change === 'accepted')).toHaveLength(1);
    }
  });
});
