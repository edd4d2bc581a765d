import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, Message } from '@switchboard/sdk/node';
import { CLUSTER_API_KEY, eventually, type ClusterNode } from '../support/cluster.js';
import { nodeRequest, nodeUser, startEmbeddedNode } from '../support/embedded-node.js';
import { TcpRelay } from '../cluster/tcp-relay.js';
import { recordMessages, testClient } from './sdk-against-server.js';

const BURST = 300;

/** The same port after the restart, so clients reconnect to where they were; no send limit in the way. */
const nodeEnv = (port: number) => ({ PORT: String(port), SEND_RATE_POINTS: '100000' });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The SDK's promise, end to end against the real server: a sender whose link is cut mid-burst
 * and whose server is SIGKILLed and restarted still has every send() resolved exactly once, and
 * a receiver sees every message exactly once, in seq order.
 */
describe('SDK: exactly-once sends across a cut link and a server crash', () => {
  let dataDir: string;
  let port: number;
  let node: ClusterNode;
  let relay: TcpRelay;
  const clients: Client[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sdk-crash-'));
    port = await freePort();
    node = await startEmbeddedNode(1, dataDir, nodeEnv(port));
    relay = await TcpRelay.start({ host: '127.0.0.1', port });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await relay?.close();
    await node?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resolves every send once and delivers every message once, in order', async () => {
    const sender = await nodeUser(node, 'sdk-sender', ['customer']);
    const receiver = await nodeUser(node, 'sdk-receiver', ['customer']);
    const created = await nodeRequest(node, 'POST', '/v1/conversations', { token: sender.token, body: { type: 'direct', participant_ids: [receiver.id] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const conversationId = created.body.conversation.id as string;

    // The sender goes through the relay (its link gets cut); the receiver straight to the node.
    const sending = testClient(`http://127.0.0.1:${relay.port}`, sender.token);
    const receiving = testClient(`http://127.0.0.1:${port}`, receiver.token);
    clients.push(sending, receiving);
    const senderStates: string[] = [];
    sending.on('state', (change) => senderStates.push(change.state));
    const received = recordMessages(receiving, conversationId);
    await Promise.all([sending.connect(), receiving.connect()]);
    const conversation = sending.conversation(conversationId, { since: 0 });

    const resolutions = new Map<number, Message[]>();
    let acknowledged = 0;
    const sends = Array.from({ length: BURST }, (_, i) =>
      conversation.send({ content: `burst ${i}` }).then((message) => {
        resolutions.set(i, [...(resolutions.get(i) ?? []), message]);
        acknowledged++;
        return message;
      }),
    );

    await eventually(async () => acknowledged >= BURST / 3, 30_000, 'a third acknowledged', 20);
    expect(acknowledged).toBeLessThan(BURST);
    await relay.set('refuse');
    await new Promise((r) => setTimeout(r, 300));
    await relay.set('forward');

    await eventually(async () => acknowledged >= (2 * BURST) / 3, 30_000, 'two thirds acknowledged', 20);
    expect(acknowledged).toBeLessThan(BURST);
    await node.kill('SIGKILL');
    node = await startEmbeddedNode(2, dataDir, nodeEnv(port));

    const messages = await Promise.all(sends);
    expect(resolutions.size).toBe(BURST);
    expect([...resolutions.values()].every((list) => list.length === 1)).toBe(true);
    expect(new Set(messages.map((m) => m.id)).size).toBe(BURST);
    expect(messages.map((m) => m.content)).toEqual(Array.from({ length: BURST }, (_, i) => `burst ${i}`));
    // Each send committed in the order it was made.
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: BURST }, (_, i) => i + 1));

    const stored: Message[] = [];
    for (let more = true; more; ) {
      const page = await nodeRequest(node, 'GET', `/v1/conversations/${conversationId}/messages?limit=100&after_seq=${stored.length}`, { apiKey: CLUSTER_API_KEY });
      expect(page.status).toBe(200);
      stored.push(...(page.body.messages as Message[]));
      more = page.body.has_more === true;
    }
    expect(stored).toHaveLength(BURST);
    expect(new Set(stored.map((m) => m.client_id)).size).toBe(BURST);

    await eventually(async () => received.length >= BURST, 30_000, 'the receiver saw the whole burst');
    await new Promise((r) => setTimeout(r, 300));
    expect(received.map((m) => m.seq)).toEqual(Array.from({ length: BURST }, (_, i) => i + 1));
    expect(sending.pending()).toEqual([]);
    // The cut and the crash each cost the sender its connection at least once.
    expect(senderStates.filter((s) => s === 'disconnected').length).toBeGreaterThanOrEqual(2);
  });
});
