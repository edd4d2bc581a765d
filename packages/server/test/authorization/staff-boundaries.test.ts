import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSioClient } from '../support/sio-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

/**
 * The default policy keeps the four seed systems apart: each system's staff against each
 * system's cases, on every transport. A case of another system is answered exactly as an id
 * nobody ever used; it is never listed, announced, taken, or joined.
 */

interface System {
  readonly name: string;
  /** The role that opens its cases. */
  readonly requester: string;
  /** The roles that staff its queues. */
  readonly staff: readonly string[];
  /** Where its requester's cases go by default, and the queues its staff watch. */
  readonly queue: string;
  readonly queues: readonly string[];
}

const SYSTEMS: readonly System[] = [
  { name: 'GuzoSync', requester: 'BUS_DRIVER', staff: ['CONTROL_STAFF', 'CONTROL_ADMIN'], queue: 'driver_support', queues: ['general_support', 'driver_support', 'regulator_support', 'emergency_support'] },
  { name: 'support desk', requester: 'customer', staff: ['support', 'admin'], queue: 'desk_support', queues: ['desk_support'] },
  { name: 'StepperGO', requester: 'PASSENGER', staff: ['STEPPERGO_ADMIN'], queue: 'trip_support', queues: ['trip_support'] },
  { name: 'MoreVans', requester: 'provider', staff: ['morevans_support', 'morevans_admin'], queue: 'morevans_support', queues: ['morevans_support'] },
];

interface Staff {
  readonly system: System;
  readonly role: string;
  readonly user: { readonly id: string };
  readonly token: string;
  ws: TestWsClient;
  sio: TestSioClient;
}

type Answer = { readonly status: number; readonly body: unknown };
/** One way of reaching a case: its answer with the case's id written as `<id>`, so two ids compare. */
type Probe = (who: Staff, caseId: string) => Promise<Answer>;

const MISSING = 'no-such-case-0000';

describe('staff of one seed system against the cases of every system, on every transport', () => {
  let server: TestServer;
  const staff: Staff[] = [];
  /** The case each system's requester opened, and the queue it went to, by system name. */
  const cases = new Map<string, string>();
  const openedIn = new Map<string, string>();
  /** Whether each staff member's `join_support_room` of each of its own queues succeeded. */
  const watching: string[] = [];

  const stripped = (id: string, value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null).split(id).join('<id>'));
  const rest = (method: string, path: (id: string) => string): Probe => async (who, id) => {
    const res = await server.request(method, path(id), { token: who.token });
    return { status: res.status, body: stripped(id, res.body) };
  };
  const ws = (type: string, data: (id: string) => Record<string, unknown>): Probe => async (who, id) => {
    const { request_id: _, ...reply } = await who.ws.request(type, data(id));
    return { status: reply.success ? 200 : 404, body: stripped(id, reply) };
  };
  const sio = (event: string, data: (id: string) => Record<string, unknown>): Probe => async (who, id) => {
    const reply = await who.sio.request(event, data(id));
    if (reply.success) await who.sio.request('leave_session', { session_id: id });
    return { status: reply.success ? 200 : 404, body: stripped(id, reply) };
  };

  /** Reading a case, by transport: REST v1, GuzoSync REST, support-desk REST, native WebSocket, Socket.IO. */
  const READS: Record<string, Probe> = {
    'v1 GET /v1/support/cases/:id': rest('GET', (id) => `/v1/support/cases/${id}`),
    'v1 GET /v1/conversations/:id/messages': rest('GET', (id) => `/v1/conversations/${id}/messages`),
    'GuzoSync GET /api/conversations/:id/messages': rest('GET', (id) => `/api/conversations/${id}/messages`),
    'support desk GET /api/v1/chat/sessions/:id': rest('GET', (id) => `/api/v1/chat/sessions/${id}`),
    'native get_conversation_messages': ws('get_conversation_messages', (id) => ({ conversation_id: id })),
    'native join_conversation': ws('join_conversation', (id) => ({ conversation_id: id })),
    'Socket.IO join_session': sio('join_session', (id) => ({ session_id: id })),
  };

  /** Taking a case, by transport (each refused one is retried by the next; the owner's staff take it last). */
  const TAKES: Record<string, Probe> = {
    'v1 POST /v1/support/cases/:id/accept': rest('POST', (id) => `/v1/support/cases/${id}/accept`),
    'support desk POST /api/v1/chat/sessions/:id/assign': rest('POST', (id) => `/api/v1/chat/sessions/${id}/assign`),
    'Socket.IO accept_chat': async (who, id) => {
      const reply = await who.sio.request('accept_chat', { session_id: id });
      return { status: reply.success ? 200 : 404, body: stripped(id, reply) };
    },
  };

  beforeAll(async () => {
    server = await startTestServer({ SEND_RATE_POINTS: '1000' });
    for (const system of SYSTEMS) {
      for (const role of system.staff) {
        const made = await server.user([role]);
        const member: Staff = { system, role, ...made, ws: await TestWsClient.authenticated(server.url, made.token), sio: await TestSioClient.connect(server.url, made.token) };
        for (const queue of system.queues) watching.push(`${role} watches ${queue}: ${(await member.ws.request('join_support_room', { room_type: queue })).success}`);
        staff.push(member);
      }
    }
    for (const system of SYSTEMS) {
      const requester = await server.user([system.requester]);
      const res = await server.request('POST', '/v1/support/cases', { token: requester.token, body: { subject: `${system.name} case`, content: `private to ${system.name}` } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      openedIn.set(system.name, res.body.case.queue);
      cases.set(system.name, res.body.case.conversation_id);
    }
  });
  afterAll(async () => {
    for (const member of staff) {
      member.ws.close();
      member.sio.close();
    }
    await server.close();
  });

  it('opens each system\'s cases in its own queue, which its staff watch', () => {
    expect(Object.fromEntries(openedIn)).toEqual(Object.fromEntries(SYSTEMS.map((s) => [s.name, s.queue])));
    expect(watching).toEqual(staff.flatMap((m) => m.system.queues.map((q) => `${m.role} watches ${q}: true`)));
  });

  it.each(Object.keys(READS))('%s: each system\'s staff read its own cases; another system\'s answer exactly like a case that does not exist', async (name) => {
    const probe = READS[name]!;
    const outcome: string[] = [];
    const expected: string[] = [];
    for (const member of staff) {
      const missing = await probe(member, MISSING);
      for (const system of SYSTEMS) {
        const answer = await probe(member, cases.get(system.name)!);
        const own = system === member.system;
        expected.push(`${member.role} → ${system.name}: ${own ? 'read' : 'as missing'}`);
        outcome.push(`${member.role} → ${system.name}: ${answer.status === 200 ? 'read' : JSON.stringify(answer) === JSON.stringify(missing) ? 'as missing' : JSON.stringify(answer)}`);
      }
    }
    expect(outcome).toEqual(expected);
  });

  it('lists to each system\'s staff only its own cases (REST v1 and the support desk\'s session list)', async () => {
    const outcome: string[] = [];
    const expected: string[] = [];
    for (const member of staff) {
      const v1 = (await server.request('GET', '/v1/support/cases', { token: member.token })).body.cases.map((c: { conversation_id: string }) => c.conversation_id);
      const desk = (await server.request('GET', '/api/v1/chat/sessions', { token: member.token })).body.data.map((s: { id: string }) => s.id);
      for (const system of SYSTEMS) {
        const id = cases.get(system.name)!;
        const own = system === member.system;
        expected.push(`${member.role} lists ${system.name}: v1 ${own}, desk ${own}`);
        outcome.push(`${member.role} lists ${system.name}: v1 ${v1.includes(id)}, desk ${desk.includes(id)}`);
      }
    }
    expect(outcome).toEqual(expected);
  });

  it('shows each system\'s staff the statistics of its own queues only', async () => {
    for (const member of staff) {
      const stats = await server.request('GET', '/v1/support/queues', { token: member.token });
      expect(stats.body.queues.map((q: { queue: string }) => q.queue).sort(), member.role).toEqual([...member.system.queues].sort());
    }
  });

  it('lets staff watch only their own system\'s queues on the native WebSocket', async () => {
    const outcome: string[] = [];
    const expected: string[] = [];
    for (const member of staff) {
      for (const system of SYSTEMS.filter((s) => s !== member.system)) {
        const reply = await member.ws.request('join_support_room', { room_type: system.queue });
        expected.push(`${member.role} watches ${system.queue}: false`);
        outcome.push(`${member.role} watches ${system.queue}: ${reply.success}`);
      }
    }
    expect(outcome).toEqual(expected);
  });

  it('announces each case live to its own system\'s staff only: native new_support_conversation and Socket.IO new_session', async () => {
    for (const member of staff) {
      const id = cases.get(member.system.name)!;
      await member.ws.next((f) => f.type === 'new_support_conversation' && f.conversation_id === id);
      await member.sio.next('new_session', (d) => d.session_id === id);
    }
    // Every case was announced at once; by now another system's would have arrived too.
    await new Promise((r) => setTimeout(r, 300));
    for (const member of staff) {
      for (const system of SYSTEMS.filter((s) => s !== member.system)) {
        const id = cases.get(system.name)!;
        await member.ws.nothing((f) => f.type === 'new_support_conversation' && f.conversation_id === id, 0);
        await member.sio.nothing('new_session', (d) => d.session_id === id, 0);
      }
    }
  });

  it('keeps staff from taking another system\'s case on any transport, answered as a missing case; its own staff take it', async () => {
    const outcome: string[] = [];
    const expected: string[] = [];
    for (const system of SYSTEMS) {
      const id = cases.get(system.name)!;
      for (const member of staff.filter((m) => m.system !== system)) {
        for (const [name, probe] of Object.entries(TAKES)) {
          const [answer, missing] = [await probe(member, id), await probe(member, MISSING)];
          expected.push(`${member.role} takes ${system.name} by ${name}: as missing`);
          outcome.push(`${member.role} takes ${system.name} by ${name}: ${JSON.stringify(answer) === JSON.stringify(missing) ? 'as missing' : JSON.stringify(answer)}`);
        }
      }
      const owner = staff.find((m) => m.system === system)!;
      const accepted = await server.request('POST', `/v1/support/cases/${id}/accept`, { token: owner.token });
      expect(accepted.status, `${owner.role} takes the ${system.name} case`).toBe(200);
      expect(accepted.body.case).toMatchObject({ status: 'active', assigned_agent_id: owner.user.id });
    }
    expect(outcome).toEqual(expected);
  });

  it('never transfers a case into another system\'s queue, nor assigns it to another system\'s agent', async () => {
    const requester = await server.user(['customer']);
    const id = (await server.request('POST', '/v1/support/cases', { token: requester.token, body: { subject: 'Transfer me', content: 'x' } })).body.case.conversation_id;
    const agent = staff.find((m) => m.role === 'support')!;
    for (const system of SYSTEMS.filter((s) => s.name !== 'support desk')) {
      const moved = await server.request('POST', `/v1/support/cases/${id}/assign`, { token: agent.token, body: { queue: system.queue } });
      expect(moved.status, system.queue).toBe(422);
      for (const foreign of staff.filter((m) => m.system === system)) {
        const assigned = await server.request('POST', `/v1/support/cases/${id}/assign`, { token: agent.token, body: { agent_id: foreign.user.id } });
        expect(assigned.status, foreign.role).toBe(422);
      }
    }
  });

  it('opens a requester\'s case in their own system\'s queue even when they ask for another system\'s', async () => {
    for (const system of SYSTEMS) {
      const requester = await server.user([system.requester]);
      for (const other of SYSTEMS.filter((s) => s !== system)) {
        const res = await server.request('POST', '/v1/support/cases', { token: requester.token, body: { subject: 'Elsewhere', queue: other.queue } });
        expect(res.body.case?.queue, `${system.requester} asking for ${other.queue}`).toBe(system.queue);
      }
    }
  });

  it('adds only GuzoSync\'s control staff to a GuzoSync support conversation, over the native WebSocket and GuzoSync REST', async () => {
    const guzosync = staff.filter((m) => m.system.name === 'GuzoSync').map((m) => m.user.id).sort();
    const driver = await server.user(['BUS_DRIVER']);
    const ws = await TestWsClient.authenticated(server.url, driver.token);
    try {
      const created = await ws.request('create_support_conversation', { title: 'Brakes', content: 'Brakes feel soft' });
      expect(created.success).toBe(true);
      expect([...created.participants].sort()).toEqual([driver.user.id, ...guzosync].sort());
    } finally {
      ws.close();
    }
    const rest = await server.request('POST', '/api/conversations/create-support', { token: driver.token, body: { title: 'Tyre', content: 'Flat tyre at the depot' } });
    expect(rest.status).toBe(201);
    expect([...rest.body.participants].sort()).toEqual([driver.user.id, ...guzosync].sort());
    const participants = await server.request('GET', `/v1/conversations/${rest.body.conversation_id}/participants`, { token: driver.token });
    expect(participants.body.participants.map((p: { user_id: string }) => p.user_id).sort()).toEqual([driver.user.id, ...guzosync].sort());
  });
});
