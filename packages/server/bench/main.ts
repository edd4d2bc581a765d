/**
 * `npm run bench`: starts Switchboard (and the peers), drives them with many real clients from
 * forked load workers, and writes a terminal table, JSON and a self-contained HTML report.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchContext } from './bench-context.js';
import { benchPlan } from './bench-plan.js';
import { isInterrupted, stopAllChildren } from './child-registry.js';
import { parseOptions, USAGE, wants, type BenchOptions } from './cli-options.js';
import { WorkerPool } from './load/worker-pool.js';
import { MosquittoPeer, NatsPeer, SocketIoRelayPeer, isSkipped, type SkippedPeer } from './peers/peer-systems.js';
import { openFileLimit } from './proc-find.js';
import { summariseProfiles } from './report/cpu-profile.js';
import { evaluateRatios, evaluateTargets } from './report/targets.js';
import { renderTerminal } from './report/terminal-table.js';
import { writeReports } from './report/write-reports.js';
import type { BenchReport, ScenarioResult, SystemStatus } from './results-model.js';
import { runStorm } from './scenarios/connection-storm.js';
import { runFanout } from './scenarios/fanout.js';
import { runIdle } from './scenarios/idle-connections.js';
import { runOneToOne } from './scenarios/one-to-one.js';
import { runReconnectSync } from './scenarios/reconnect-sync.js';
import { runSearch } from './scenarios/search.js';
import { runTwoNode } from './scenarios/two-node.js';
import { startSwitchboardNode, type SwitchboardNode } from './switchboard/server-process.js';
import { SwitchboardSystem } from './switchboard/switchboard-system.js';
import type { SystemUnderTest } from './system-under-test.js';

const started = Date.now();
const log = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);

async function main(): Promise<void> {
  let options: BenchOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const plan = benchPlan(options.quick, options.rates);
  const runId = `b${Date.now().toString(36)}`;
  const tmpDir = join(options.outDir, `.tmp-${runId}`);
  const profileDir = join(options.outDir, 'profiles', runId);
  mkdirSync(tmpDir, { recursive: true });
  const jwtSecret = randomBytes(32).toString('base64url');
  const apiKey = `bench-${randomBytes(16).toString('hex')}`;
  const results: ScenarioResult[] = [];
  const systems: SystemStatus[] = [];
  const notes: string[] = [];
  const startedAt = new Date().toISOString();
  log(`switchboard bench (${options.quick ? 'quick' : 'full'}), run ${runId}, ${cpus().length} CPUs, ${options.workers} load workers`);

  let node: SwitchboardNode | undefined;
  let relay: SocketIoRelayPeer | undefined;
  let pool: WorkerPool | undefined;
  try {
    // The server, the peers and the load workers start side by side.
    const [startedNode, found, startedPool] = await Promise.all([
      startSwitchboardNode({ dataDir: join(tmpDir, 'embedded'), jwtSecret, apiKey, ...(options.profile && { cpuProfileDir: profileDir }) }),
      options.peers ? Promise.all([MosquittoPeer.find(runId), NatsPeer.find(runId), SocketIoRelayPeer.start(runId)]) : Promise.resolve([] as Array<SystemUnderTest | SkippedPeer>),
      WorkerPool.start(options.workers),
    ]);
    node = startedNode;
    pool = startedPool;
    const switchboard = new SwitchboardSystem('switchboard', [node], jwtSecret, apiKey, runId, 'SQLite (WAL) commit before the ack');
    systems.push({ name: 'switchboard', status: 'ok', pids: [node.pid], detail: `embedded SQLite, one node, pid ${node.pid}` });
    log(`switchboard up at ${node.httpUrl} (pid ${node.pid}); ${pool.size} load workers (pids ${pool.pids.join(', ')})`);

    const peers: SystemUnderTest[] = [];
    for (const peer of found) {
      if (isSkipped(peer)) {
        systems.push({ name: peer.name, status: 'skipped', reason: peer.reason, pids: [], detail: '' });
        log(`peer ${peer.name}: SKIPPED (${peer.reason})`);
      } else {
        if (peer instanceof SocketIoRelayPeer) relay = peer;
        peers.push(peer);
        systems.push({ name: peer.name, status: 'ok', pids: peer.pids, detail: `${peer.endpoints.join(', ')}, pid ${peer.pids.join(',')}` });
        log(`peer ${peer.name}: ${peer.endpoints.join(', ')} (pid ${peer.pids.join(',')})`);
      }
    }
    if (!options.peers) notes.push('peers not run (--no-peers)');
    if (options.rates) notes.push(`stepped scenarios at fixed offered rates (--rates=${options.rates.join(',')}), no climb`);
    const all: SystemUnderTest[] = [switchboard, ...peers];

    const ctx: BenchContext = { options, plan, pool, runId, log };
    const attempt = async (scenario: string, system: string, run: () => Promise<ScenarioResult | ScenarioResult[]>) => {
      if (isInterrupted()) return;
      try {
        const r = await run();
        results.push(...(Array.isArray(r) ? r : [r]));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        log(`  ${scenario} ${system}: FAILED: ${reason}`);
        results.push({ kind: 'skipped', scenario, system, reason: `failed: ${reason.slice(0, 500)}` });
        await pool?.all({ cmd: 'disconnect' }).catch(() => {});
      }
    };

    if (wants(options, 'fanout')) {
      log('scenario 1: group fan-out, rooms of 10');
      for (const s of all) await attempt('fanout-10', s.name, () => runFanout(ctx, s, 10));
      log('scenario 1: group fan-out, rooms of 50');
      for (const s of all) await attempt('fanout-50', s.name, () => runFanout(ctx, s, 50));
    }
    if (wants(options, 'one-to-one')) {
      log('scenario 2: durable one-to-one');
      for (const s of all) await attempt('one-to-one', s.name, () => runOneToOne(ctx, s));
    }
    if (wants(options, 'idle')) {
      log('scenario 3: idle connections');
      for (const s of all) await attempt('idle', s.name, () => runIdle(ctx, s));
    }
    if (wants(options, 'storm')) {
      log('scenario 4: connection storm');
      for (const s of all) await attempt('storm', s.name, () => runStorm(ctx, s));
    }
    if (wants(options, 'sync')) {
      log('scenario 5: reconnect and sync');
      await attempt('sync', switchboard.name, () => runReconnectSync(ctx, switchboard));
    }
    if (wants(options, 'search')) {
      log('scenario 7: search, query latency and the index’s cost to writers');
      await attempt('search', switchboard.name, () => runSearch(ctx, { tmpDir, jwtSecret, apiKey }));
    }
    if (wants(options, 'two-node')) {
      log('scenario 6: PostgreSQL + Redis, one node and two nodes');
      await attempt('two-node', 'switchboard pg+redis', () => runTwoNode(ctx, { tmpDir, jwtSecret, apiKey }));
    } else if (!options.pgRedis) {
      notes.push('two-node PostgreSQL + Redis not run (add --pg-redis)');
    }
  } catch (error) {
    log(`bench aborted: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    notes.push(`aborted: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    await pool?.stop().catch(() => {});
    await relay?.stop().catch(() => {});
    await node?.stop().catch(() => {});
    await stopAllChildren();
  }

  if (isInterrupted()) notes.push('interrupted (SIGINT/SIGTERM): partial results');
  const profile = options.profile ? summariseProfiles(profileDir) : undefined;
  const report: BenchReport = {
    version: 1,
    mode: options.quick ? 'quick' : 'full',
    startedAt,
    finishedAt: new Date().toISOString(),
    durationS: Math.round((Date.now() - started) / 100) / 10,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memGb: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      kernel: release(),
      openFiles: Number.isFinite(openFileLimit() ?? Number.NaN) ? openFileLimit()! : null,
    },
    options: { ...options, only: options.only ? [...options.only] : null, plan },
    systems,
    results,
    targets: evaluateTargets(results, options),
    ratios: evaluateRatios(results),
    notes,
    ...(profile && { profile }),
  };
  process.stdout.write(`\n${renderTerminal(report)}\n`);
  const files = writeReports(report, options.outDir);
  log(`wrote ${files.join(', ')}`);
  rmSync(tmpDir, { recursive: true, force: true });
}

await main();
