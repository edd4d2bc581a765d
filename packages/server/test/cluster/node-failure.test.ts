import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, clusterServices, eventually, type ClusterUser } from '../support/cluster.js';
import type { TestWsClient } from '../support/ws-client.js';
import { SyncingReader } from './syncing-reader.js';

type Frame = Record<string, any>;

const services = clusterServices();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends and waits for the reply, or resolves 'lost' when the connection dies first. */
async function sendOrLost(client: TestWsClient, data: Record<string, unknown>): Promise<Frame | 'lost'> {
  if (client.closed) return 'lost';
  return Promise.race([client.request('send_chat_message', data, 20_000), client.waitClose(30_000).then(() => 'lost' as const)]);
}

interface SenderLog {
  /** Replies with success: these messages are acknowledged, so they must be durable. */
  readonly acknowledged: Frame[];
  /** Client ids whose send got no reply because the node died; retried on another node. */
  readonly unanswered: string[];
}

describe.skipIf(!services)('nodes that die', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await Cluster.start(services!, { nodes: 3, env: { SEND_RATE_POINTS: '100000' } });
  });
  afterEach(() => cluster?.closeClients());
  afterAll(() => cluster?.close());

  /**
   * One sender: `count` messages with client ids, one after another. When its node dies mid-send
   * it reconnects to `fallback` and retries the unanswered message with the same client id, as an
   * app with an outbox does.
   */
  async function runSender(id: string, user: ClusterUser, node: number, fallback: number, count: number, log: SenderLog): Promise<void> {
    let client = await cluster.ws(node, user);
    for (let i = 0; i < count; i++) {
      const clientId = `${user.id}-${i}`;
      for (;;) {
        const reply = await sendOrLost(client, { conversation_id: id, content: `message ${clientId}`, client_id: clientId });
        if (reply !== 'lost') {
          if (!reply.success) throw new Error(`send refused: ${JSON.stringify(reply)}`);
          log.acknowledged.push(reply);
          break;
        }
        log.unanswered.push(clientId);
        client = await cluster.ws(fallback, user);
      }
      await sleep(8);
    }
  }

  it('loses no acknowledged message when a node is SIGKILLed mid-traffic; its clients reconnect elsewhere and sync to exactly the committed messages', async () => {
    const VICTIM = 2;
    const PER_SENDER = 40;
    const senders = await cluster.users(6, ['CONTROL_STAFF']);
    const readers = await cluster.users(3, ['CONTROL_STAFF']);
    const id = await cluster.conversation([...senders, ...readers]);

    const syncing = readers.map(() => new SyncingReader(id));
    const readerClients = await Promise.all(readers.map((user, node) => cluster.ws(node, user)));
    await Promise.all(syncing.map((reader, i) => reader.attach(readerClients[i]!)));
    // The victim's reader comes back on node 0 and syncs, as soon as it notices.
    const victimReader = syncing[VICTIM]!;
    const reconnected = readerClients[VICTIM]!.waitClose(60_000).then(async (close) => {
      await victimReader.attach(await cluster.ws(0, readers[VICTIM]!));
      return close;
    });

    const logs: SenderLog[] = senders.map(() => ({ acknowledged: [], unanswered: [] }));
    const sending = Promise.all(senders.map((user, i) => runSender(id, user, i % 3, (i % 3) === VICTIM ? 1 : i % 3, PER_SENDER, logs[i]!)));
    const acknowledged = () => logs.reduce((n, log) => n + log.acknowledged.length, 0);
    await eventually(async () => acknowledged() >= 60, 20_000, '60 messages acknowledged before the kill', 5);
    expect(await cluster.node(VICTIM).kill('SIGKILL')).toBe('SIGKILL');
    const atKill = acknowledged();
    await sending;
    expect(atKill).toBeLessThan(senders.length * PER_SENDER);

    // Acknowledged means durable: every one of them is in the history, at the seq it was given.
    const history = await cluster.history(id, readers[0]!, 0);
    const bySeq = new Map(history.map((m) => [m.seq as number, m]));
    for (const reply of logs.flatMap((log) => log.acknowledged)) expect(bySeq.get(reply.seq)?.id, `seq ${reply.seq}`).toBe(reply.message_id);
    // Gap-free, no message twice, and every message every sender meant to send, once.
    expect(history.map((m) => m.seq)).toEqual(history.map((_, i) => i + 1));
    const clientIds = history.map((m) => m.client_id as string);
    expect(new Set(clientIds).size).toBe(clientIds.length);
    expect([...clientIds].sort()).toEqual(senders.flatMap((s) => Array.from({ length: PER_SENDER }, (_, i) => `${s.id}-${i}`)).sort());
    // A retry of an unanswered send was answered with the original when the original had committed.
    for (const log of logs) expect(log.acknowledged.map((r) => r.client_id)).toEqual(Array.from({ length: PER_SENDER }, (_, i) => expect.stringMatching(new RegExp(`-${i}$`))));

    expect((await reconnected).code).toBe(1006);
    for (const reader of syncing) await reader.sync();
    const ids = history.map((m) => m.id);
    for (const reader of syncing) {
      expect(reader.applied.map((m) => m.id)).toEqual(ids);
      expect(reader.duplicatesOnOneConnection).toBe(0);
    }
    expect(victimReader.connections).toBe(2);
  }, 90_000);

  it('drains a node on SIGTERM: its clients are told to go (1001) and resume elsewhere, and a new node joins the running cluster', async () => {
    const [sender, reader] = await cluster.users(2, ['CONTROL_STAFF']);
    const id = await cluster.conversation([sender!, reader!]);
    const leaving = 1;
    const r = new SyncingReader(id);
    const first = await cluster.ws(leaving, reader!);
    await r.attach(first);
    const s = await cluster.ws(0, sender!);
    expect(await s.request('send_chat_message', { conversation_id: id, content: 'one' })).toMatchObject({ success: true, seq: 1 });
    await eventually(async () => r.lastSeq === 1, 5000, 'the reader has seq 1');

    const closing = first.waitClose(15_000);
    expect(await cluster.node(leaving).stop()).toBe(0);
    expect((await closing).code).toBe(1001);
    expect(await s.request('send_chat_message', { conversation_id: id, content: 'two' })).toMatchObject({ success: true, seq: 2 });

    const joined = await cluster.startNode();
    await r.attach(await cluster.ws(joined.index, reader!));
    expect(r.applied.map((m) => m.seq)).toEqual([1, 2]);
    expect(await s.request('send_chat_message', { conversation_id: id, content: 'three' })).toMatchObject({ success: true, seq: 3 });
    await eventually(async () => r.lastSeq === 3, 5000, 'the new node delivers seq 3 live');
    expect(r.applied.map((m) => m.content)).toEqual(['one', 'two', 'three']);
    expect(r.duplicatesOnOneConnection).toBe(0);
  }, 60_000);
});

describe.skipIf(!services)('presence of a node that dies', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    // Short presence timing, from the environment as an operator would set it.
    cluster = await Cluster.start(services!, { nodes: 2, env: { PRESENCE_TTL_SECONDS: '3', PRESENCE_HEARTBEAT_SECONDS: '1' } });
  });
  afterEach(() => cluster?.closeClients());
  afterAll(() => cluster?.close());

  it('takes a SIGKILLed node’s users offline once its presence TTL runs out, and tells their contacts', async () => {
    const [watched, watcher] = await cluster.users(2, ['CONTROL_STAFF']);
    await cluster.conversation([watched!, watcher!]);
    const w = await cluster.ws(0, watcher!);
    const about = (status: string) => (f: Frame) => f.type === 'presence' && f.user_id === watched!.id && f.status === status;
    // An answer means the watcher's connection is registered, presence subscriptions included:
    // an "online" published before that would never reach it.
    await w.request('get_presence', { user_ids: [watched!.id] });
    await cluster.ws(1, watched!);
    await w.next(about('online'));

    const killedAt = Date.now();
    await cluster.node(1).kill('SIGKILL');
    expect(await w.next(about('offline'), 15_000)).toMatchObject({ user_id: watched!.id });
    // Not before the TTL (3 s), and well before the 30 s default.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(2_000);
    expect(Date.now() - killedAt).toBeLessThan(12_000);
    expect(await w.request('get_presence', { user_ids: [watched!.id] })).toMatchObject({ presence: [{ status: 'offline' }] });
  }, 40_000);
});
