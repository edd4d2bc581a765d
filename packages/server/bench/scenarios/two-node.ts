import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../bench-context.js';
import { onInterrupt } from '../child-registry.js';
import { nowMs, waitUntil } from '../clock.js';
import { SwitchboardClient } from '../load/clients/switchboard-client.js';
import type { ClientEvents } from '../load/clients/types.js';
import type { ScenarioResult } from '../results-model.js';
import { ScratchDatabase } from '../switchboard/postgres-database.js';
import { RedisNamespace } from '../switchboard/redis-namespace.js';
import { startSwitchboardNode, type SwitchboardNode } from '../switchboard/server-process.js';
import { SwitchboardSystem } from '../switchboard/switchboard-system.js';
import { mintHostToken } from '../switchboard/tokens.js';
import { runSteppedLoad } from './stepped-load.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';

export interface TwoNodeSettings {
  readonly tmpDir: string;
  readonly jwtSecret: string;
  readonly apiKey: string;
}

const PG_DURABILITY = 'PostgreSQL commit before the ack';

/**
 * `--pg-redis`: Switchboard on a fresh PostgreSQL database with the Redis bus (keys under a
 * prefix of the run's own, deleted afterwards, like the database), first one node,
 * then two nodes sharing the database, running the durable one-to-one workload. A node that
 * refuses to start (a Redis bus not wired yet, say) makes the scenario "skipped" with its reason.
 * Pairs are split across the nodes when a probe shows messages cross between them; otherwise
 * each pair stays on one node and the result says why.
 */
export async function runTwoNode(ctx: BenchContext, settings: TwoNodeSettings): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  const skip = (system: string, reason: string) => results.push({ kind: 'skipped', scenario: 'two-node', system, reason });
  let database: ScratchDatabase;
  try {
    database = await ScratchDatabase.create(`sbbench_${ctx.runId}`);
  } catch (error) {
    skip('switchboard pg+redis', `could not create a database on postgres://postgres@127.0.0.1:5432: ${message(error)}`);
    return results;
  }
  const redis = new RedisNamespace(REDIS_URL, `sbbench:${ctx.runId}:`);
  const dropOnInterrupt = onInterrupt(async () => {
    await database.drop();
    await redis.drop();
  });
  const nodes: SwitchboardNode[] = [];
  try {
    const start = async (name: string): Promise<SwitchboardNode> => {
      const dataDir = join(settings.tmpDir, name);
      mkdirSync(dataDir, { recursive: true });
      const node = await startSwitchboardNode({ dataDir, jwtSecret: settings.jwtSecret, apiKey: settings.apiKey, databaseUrl: database.url, redisUrl: REDIS_URL, redisKeyPrefix: redis.prefix });
      nodes.push(node);
      return node;
    };
    let nodeA: SwitchboardNode;
    try {
      nodeA = await start('pg-node-a');
    } catch (error) {
      skip('switchboard pg+redis', `the server refused to start with DATABASE_URL and REDIS_URL: ${startupReason(error)}`);
      return results;
    }
    ctx.log(`  two-node: node A up (pid ${nodeA.pid})`);
    const oneNode = new SwitchboardSystem('switchboard pg 1 node', [nodeA], settings.jwtSecret, settings.apiKey, ctx.runId, PG_DURABILITY);
    results.push(await runSteppedLoad(ctx, oneNode, { scenario: 'two-node', plan: ctx.plan.twoNode, durable: true, notes: ['one node on PostgreSQL (+ Redis bus)'] }));

    let nodeB: SwitchboardNode;
    try {
      nodeB = await start('pg-node-b');
    } catch (error) {
      skip('switchboard pg+redis 2 nodes', `the second node refused to start: ${startupReason(error)}`);
      return results;
    }
    ctx.log(`  two-node: node B up (pid ${nodeB.pid})`);
    const twoNodes = new SwitchboardSystem('switchboard pg+redis 2 nodes', [nodeA, nodeB], settings.jwtSecret, settings.apiKey, ctx.runId, PG_DURABILITY);
    const probe = await probeCrossNode(twoNodes);
    ctx.log(`  two-node: cross-node probe: ${probe.detail}`);
    const notes = probe.ok
      ? ['each pair split across the two nodes (one member on each): every delivery crosses the Redis bus']
      : [`cross-node delivery failed (${probe.detail}): pairs kept within one node, half the pairs on each`];
    const twoNodeResult = await runSteppedLoad(ctx, twoNodes, {
        scenario: 'two-node',
        plan: ctx.plan.twoNode,
        durable: true,
        placement: probe.ok ? (_room, member) => member : (room) => room,
        notes,
      });
    const logged: string[] = [];
    for (const [name, node] of [['A', nodeA], ['B', nodeB]] as const) {
      const lines = node.output().split('\n').filter(Boolean);
      if (lines.length > 0) logged.push(`node ${name} logged ${lines.length} lines, last: ${lines.slice(-2).join(' | ').slice(0, 400)}`);
    }
    results.push({ ...twoNodeResult, notes: [...twoNodeResult.notes, ...logged] });
    return results;
  } catch (error) {
    skip('switchboard pg+redis', `failed: ${message(error)}`);
    return results;
  } finally {
    for (const node of nodes.reverse()) await node.stop();
    await database.drop().catch((error: unknown) => ctx.log(`  two-node: could not drop ${database.name}: ${message(error)}`));
    await redis.drop().catch((error: unknown) => ctx.log(`  two-node: could not delete the Redis keys under ${redis.prefix}: ${message(error)}`));
    dropOnInterrupt();
  }
}

/** One message from a client on node A to a client on node B. */
async function probeCrossNode(system: SwitchboardSystem): Promise<{ ok: boolean; detail: string }> {
  const [room] = await system.prepareRooms('probe', 1, 2, (_room, member) => member);
  if (!room) return { ok: false, detail: 'no room' };
  let delivered = false;
  let acked = false;
  const events = (onDelivery: () => void, onAck: () => void): ClientEvents => ({ delivery: onDelivery, ack: onAck, closed: () => {} });
  const connect = async (userId: string, node: number, ev: ClientEvents) =>
    SwitchboardClient.connect({ endpoint: system.endpoints[node]!, name: userId, token: await mintHostToken(system.jwtSecret, userId), timeoutMs: 10_000 }, ev);
  const sender = await connect(room.userIds[0]!, 0, events(() => {}, () => (acked = true)));
  const receiver = await connect(room.userIds[1]!, 1, events(() => (delivered = true), () => {}));
  try {
    await sender.join(room.key);
    await receiver.join(room.key);
    const started = nowMs();
    sender.send(room.key, 0, 1, nowMs());
    await waitUntil(() => delivered, 3000);
    if (delivered) return { ok: true, detail: `delivered from node A to node B in ${(nowMs() - started).toFixed(1)} ms` };
    return { ok: false, detail: acked ? 'sent and committed on node A, never delivered on node B within 3 s (is the Redis bus wired?)' : 'not even acknowledged within 3 s' };
  } finally {
    await sender.close();
    await receiver.close();
  }
}

function startupReason(error: unknown): string {
  const text = message(error);
  const interesting = text.split('\n').filter((line) => /redis|bus|error|invalid|refus|not (yet )?supported|exited/i.test(line));
  return (interesting.length > 0 ? interesting.slice(0, 4).join(' | ') : text).slice(0, 600);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
