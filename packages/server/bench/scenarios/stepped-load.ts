import type { BenchContext } from '../bench-context.js';
import type { SteppedPlan } from '../bench-plan.js';
import { nowMs } from '../clock.js';
import { Histogram } from '../histogram.js';
import type { ClientPlan, ConnectResult, RoomPlan, StepStats, WorkerInit } from '../load/worker-protocol.js';
import { MachineSampler, ProcSampler, rssOf } from '../proc-sampler.js';
import type { LoadScenarioId, LoadScenarioResult, StepResult } from '../results-model.js';
import { settle } from '../settle.js';
import type { Placement, PreparedRoom, SystemUnderTest } from '../system-under-test.js';

export interface SteppedLoadSpec {
  readonly scenario: LoadScenarioId;
  readonly plan: SteppedPlan;
  /** Sends are acknowledged by the system (durable one-to-one). */
  readonly durable: boolean;
  readonly placement?: Placement;
  readonly notes?: readonly string[];
}

/** Unacknowledged sends per client before further sends are held (under the server's 256). */
const MAX_IN_FLIGHT = 200;

/** Systems that already ran a warm-up (JIT, lazy module loading, caches) in this run. */
const warmedUp = new Set<string>();

/**
 * Rooms of `roomSize` members, every member sending at a fixed rate, stepped up until the load
 * breaks it (p99 over the plan's threshold, anything lost, or a backlog) two steps in a row.
 * Every room lives in one worker, so deliveries are checked against sends exactly.
 */
export async function runSteppedLoad(ctx: BenchContext, system: SystemUnderTest, spec: SteppedLoadSpec): Promise<LoadScenarioResult> {
  const { plan } = spec;
  const label = `${spec.scenario} ${system.name}`;
  ctx.log(`  ${label}: preparing ${plan.roomCount} rooms of ${plan.roomSize}`);
  const rooms = await system.prepareRooms(spec.scenario, plan.roomCount, plan.roomSize, spec.placement);
  const inits = partition(ctx, system, rooms, spec.durable);
  const notes: string[] = [...(spec.notes ?? [])];
  if (spec.durable) await system.beforeDurable?.(spec.scenario);
  try {
    await ctx.pool.each((i) => ({ cmd: 'init', init: inits[i]! }));
    await settle(system.pids, { timeoutMs: 3000 });
    const rssBefore = rssOf(system.pids);
    const connects = await ctx.pool.all<ConnectResult>({ cmd: 'connect', startAtMs: nowMs() + 20 });
    const connected = sum(connects.map((c) => c.connected));
    const clients = sum(connects.map((c) => c.attempted));
    const connectErrors = [...new Set(connects.flatMap((c) => c.errors))];
    if (connected < clients) notes.push(`${clients - connected} of ${clients} clients failed to connect: ${connectErrors.join('; ')}`);
    ctx.log(`  ${label}: ${connected}/${clients} connected`);
    if (!warmedUp.has(system.name)) {
      warmedUp.add(system.name);
      await warmUp(ctx, spec);
    }

    // The climb stops after two broken steps in a row: the machine is shared, and a latency
    // spike from elsewhere must not end it on its own. The reference load runs regardless, and
    // so does every step of a fixed plan (--rates).
    const steps: StepResult[] = [];
    let streak = 0;
    let stopped = false;
    for (const offered of plan.steps) {
      const isReference = offered === plan.reference;
      if (stopped && !isReference) continue;
      await settle(system.pids, { timeoutMs: 10_000 });
      // Other work on the machine (tests of other sessions, say) skews a step: wait a little for
      // quiet, without waiting forever; the step records how much CPU others used anyway.
      if (!ctx.options.quick) await settle(system.pids, { machineMaxPercent: 60, timeoutMs: 2500 });
      const s = await runStep(ctx, system, spec, offered, rssBefore, connected, stopped ? ['reference load, run past the break point'] : []);
      steps.push(s);
      ctx.log(
        `  ${label} @ ${fmt(s.offeredDeliveriesPerSec)} deliveries/s offered: ${fmt(s.deliveriesPerSec)}/s delivered, p99 ${s.latency.p99} ms` +
          (s.ack.count > 0 ? `, ack p99 ${s.ack.p99} ms` : '') +
          `, lost ${s.lost}, dup ${s.duplicated}, cpu ${s.cpuUsPerDelivery.toFixed(1)} µs/delivery${s.broken ? `  [broken: ${s.broken}]` : ''}`,
      );
      if (!stopped && !plan.fixed) {
        streak = s.broken !== null ? streak + 1 : 0;
        if (streak >= 2 || (ctx.options.quick && streak >= 1)) stopped = true;
      }
    }
    return {
      kind: 'load',
      scenario: spec.scenario,
      system: system.name,
      durability: spec.durable ? system.durability : 'none (live fan-out)',
      roomSize: plan.roomSize,
      roomCount: plan.roomCount,
      clients,
      connected,
      connectErrors,
      steps,
      notes,
    };
  } finally {
    await ctx.pool.all({ cmd: 'disconnect' }).catch(() => {});
    if (spec.durable) await system.afterDurable?.().catch((error: unknown) => ctx.log(`  ${label}: cleanup failed: ${String(error)}`));
  }
}

/** A short unrecorded step at a light load, so the first recorded step does not pay for warm-up. */
async function warmUp(ctx: BenchContext, spec: SteppedLoadSpec): Promise<void> {
  const { plan } = spec;
  const msgs = Math.min(plan.unit === 'deliveries' ? plan.steps[0]! / (plan.roomSize - 1) : plan.steps[0]!, 500);
  const durationMs = ctx.options.quick ? 300 : 1500;
  await ctx.pool.all<StepStats>({
    cmd: 'step',
    step: { label: 'warm-up', ratePerSender: msgs / (plan.roomCount * plan.roomSize), durationMs, startAtMs: nowMs() + 20, drainQuietMs: 500, drainMaxMs: 3000 },
  });
}

/** Deals whole rooms to workers round-robin; client indices are local to each worker. */
function partition(ctx: BenchContext, system: SystemUnderTest, rooms: readonly PreparedRoom[], durable: boolean): WorkerInit[] {
  const perWorker = Array.from({ length: ctx.pool.size }, () => ({ clients: [] as ClientPlan[], rooms: [] as RoomPlan[] }));
  rooms.forEach((room, r) => {
    const slot = perWorker[r % perWorker.length]!;
    const members = room.userIds.map((userId, m) => {
      slot.clients.push({ userId, endpoint: room.endpoints[m] ?? 0 });
      return slot.clients.length - 1;
    });
    slot.rooms.push({ key: room.key, members });
  });
  return perWorker.map((slot) => ({
    kind: system.kind,
    endpoints: system.endpoints,
    ...(system.jwtSecret !== undefined && { jwtSecret: system.jwtSecret }),
    clients: slot.clients,
    rooms: slot.rooms,
    durable,
    connectConcurrency: ctx.plan.connectConcurrency,
    connectTimeoutMs: 20_000,
    maxInFlight: MAX_IN_FLIGHT,
  }));
}

async function runStep(ctx: BenchContext, system: SystemUnderTest, spec: SteppedLoadSpec, offered: number, rssBefore: number, connected: number, extraNotes: readonly string[]): Promise<StepResult> {
  const { plan } = spec;
  const fanout = plan.roomSize - 1;
  const offeredMsgs = plan.unit === 'deliveries' ? offered / fanout : offered;
  const senders = plan.roomCount * plan.roomSize;
  const ratePerSender = offeredMsgs / senders;
  const serverSampler = new ProcSampler(system.pids);
  const loadSampler = new ProcSampler(ctx.pool.pids);
  const machineSampler = new MachineSampler();
  const startAtMs = nowMs() + 50;
  serverSampler.begin();
  loadSampler.begin();
  machineSampler.begin();
  const stats = await ctx.pool.all<StepStats>({
    cmd: 'step',
    step: { label: String(offered), ratePerSender, durationMs: plan.stepMs, startAtMs, drainQuietMs: plan.drainQuietMs, drainMaxMs: plan.drainMaxMs },
  });
  const server = serverSampler.end();
  const load = loadSampler.end();
  const machine = machineSampler.end();

  const total = (pick: (s: StepStats) => number) => sum(stats.map(pick));
  const latency = Histogram.from(stats.map((s) => s.latency)).percentilesMs();
  const ack = Histogram.from(stats.map((s) => s.ackLatency)).percentilesMs();
  const firstSend = Math.min(...stats.map((s) => s.firstSendMs || Number.POSITIVE_INFINITY));
  const lastEvent = Math.max(...stats.map((s) => Math.max(s.lastDeliveryMs, s.lastSendMs)));
  const elapsedS = Math.max(plan.stepMs / 1000, Number.isFinite(firstSend) ? (lastEvent - firstSend) / 1000 : 0);
  const delivered = total((s) => s.delivered);
  const sent = total((s) => s.sent);
  const planned = Math.round(offeredMsgs * (plan.stepMs / 1000));
  const notes: string[] = [...extraNotes];
  const closeReasons = [...new Set(stats.flatMap((s) => s.closeReasons))];
  const rejectReasons = stats.reduce<Record<string, number>>((acc, s) => {
    for (const [k, v] of Object.entries(s.rejectReasons)) acc[k] = (acc[k] ?? 0) + v;
    return acc;
  }, {});
  if (closeReasons.length > 0) notes.push(`connections closed: ${closeReasons.join('; ')}`);
  if (Object.keys(rejectReasons).length > 0) notes.push(`rejected: ${JSON.stringify(rejectReasons)}`);
  const unreadable = total((s) => s.unreadable);
  if (unreadable > 0) notes.push(`${unreadable} deliveries without a bench marker`);
  const echoes = total((s) => s.echoes);
  if (echoes > 0) notes.push(`${echoes} senders got their own message back`);
  const stale = total((s) => s.stale);
  if (stale > 0) notes.push(`${stale} late deliveries from the previous step`);
  const maxLag = Math.max(...stats.map((s) => s.maxSchedulerLagMs));
  if (maxLag > 100) notes.push(`load generator fell ${Math.round(maxLag)} ms behind its schedule`);

  const result = {
    label: String(offered),
    durationMs: plan.stepMs,
    offeredMsgsPerSec: round(offeredMsgs),
    offeredDeliveriesPerSec: round(offeredMsgs * fanout),
    sentMsgsPerSec: round(sent / (plan.stepMs / 1000)),
    deliveredMsgsPerSec: round(delivered / fanout / elapsedS),
    deliveriesPerSec: round(delivered / elapsedS),
    ackedMsgsPerSec: round(total((s) => s.acked) / elapsedS),
    sent,
    held: total((s) => s.held),
    rejected: total((s) => s.rejected),
    unacked: total((s) => s.unacked),
    expected: total((s) => s.expected),
    delivered,
    lost: total((s) => s.lost),
    duplicated: total((s) => s.duplicated),
    stale,
    echoes: total((s) => s.echoes),
    latency,
    ack,
    cpuUsPerDelivery: delivered > 0 ? server.cpuUs / delivered : 0,
    cpuPercent: round(server.cpuPercent),
    // The main thread is the event loop of a Node server and all of single-threaded Mosquitto;
    // nats-server spreads its work over goroutines, so its main thread says nothing.
    mainThread: system.kind === 'nats' ? undefined : server.mainThread,
    rssPeakBytes: server.rssPeakBytes,
    rssEndBytes: server.rssEndBytes,
    bytesPerConnection: connected > 0 ? Math.round((server.rssEndBytes - rssBefore) / connected) : 0,
    loadgenCpuPercent: round(load.cpuPercent),
    otherCpuPercent: round(Math.max(0, machine.busyPercent - server.cpuPercent - load.cpuPercent)),
    maxSchedulerLagMs: round(maxLag),
    drained: stats.every((s) => s.drained),
    closed: total((s) => s.closed),
    timeline: server.timeline,
  };
  return { ...result, notes, broken: breakReason(spec, result, planned) };
}

type StepFigures = Omit<StepResult, 'notes' | 'broken'>;

function breakReason(spec: SteppedLoadSpec, s: StepFigures, planned: number): string | null {
  const reasons: string[] = [];
  const p99 = spec.plan.breakOn === 'ack' ? s.ack.p99 : s.latency.p99;
  if (p99 > spec.plan.p99BreakMs) reasons.push(`${spec.plan.breakOn === 'ack' ? 'ack ' : ''}p99 ${Math.round(p99)} ms > ${spec.plan.p99BreakMs}`);
  if (s.lost > 0) reasons.push(`${s.lost} lost`);
  if (s.duplicated > 0) reasons.push(`${s.duplicated} duplicated`);
  if (s.unacked > 0) reasons.push(`${s.unacked} unacked`);
  if (s.rejected > 0) reasons.push(`${s.rejected} rejected`);
  if (s.held > planned * 0.01) reasons.push(`${s.held} held back`);
  if (s.deliveriesPerSec < s.offeredDeliveriesPerSec * 0.9) reasons.push(`${Math.round((s.deliveriesPerSec / s.offeredDeliveriesPerSec) * 100)} % delivered`);
  if (!s.drained) reasons.push('backlog left');
  return reasons.length > 0 ? reasons.join(', ') : null;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export function fmt(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(0)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0);
}
