import { expect } from 'vitest';
import type { Cluster, ClusterUser } from '../support/cluster.js';
import type { TestSioClient } from '../support/sio-client.js';
import type { TestWsClient } from '../support/ws-client.js';

/** Who talks where when a dependency of node 1 stalls: a group chat and a support case, both on node 1. */
export interface StallScene {
  readonly sender: ClusterUser;
  readonly reader: ClusterUser;
  readonly customer: ClusterUser;
  /** A conversation of sender and reader. */
  readonly id: string;
  /** The customer's support case. */
  readonly caseId: string;
  /** The sender over the native WebSocket on node 1. */
  readonly s: TestWsClient;
  /** The customer over Socket.IO on node 1, in the case's session. */
  readonly sio: TestSioClient;
}

export async function openStallScene(cluster: Cluster): Promise<StallScene> {
  const [sender, reader] = await cluster.users(2, ['CONTROL_STAFF']);
  const customer = await cluster.user(['customer']);
  const id = await cluster.conversation([sender!, reader!]);
  const opened = await cluster.request(0, 'POST', '/v1/support/cases', { token: customer.token, body: { subject: 'Stalled', content: 'hello' } });
  const caseId = opened.body.case.conversation_id as string;
  const s = await cluster.ws(1, sender!);
  const sio = await cluster.sio(1, customer);
  sio.emit('join_session', { session_id: caseId });
  await sio.next('session_joined');
  return { sender: sender!, reader: reader!, customer, id, caseId, s, sio };
}

/** Runs calls that must each answer within `boundMs`, and remembers the slowest (for the report). */
export function boundedCalls(boundMs: number) {
  const slowest = { ms: 0 };
  const timed = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await run();
    const ms = Date.now() - started;
    slowest.ms = Math.max(slowest.ms, ms);
    expect(ms, `${what} answered within the bound`).toBeLessThan(boundMs);
    return result;
  };
  return { timed, slowest };
}
