import { nowMs, sleep } from '../clock.js';
import { Histogram } from '../histogram.js';
import { mintHostToken, BENCH_ROLE } from '../switchboard/tokens.js';
import { connectClient } from './clients/connect.js';
import type { BenchClient, ClientEvents } from './clients/types.js';
import { DeliveryTracker } from './delivery-tracker.js';
import { mapLimit } from './map-limit.js';
import { decodeMarker } from './payload.js';
import type { ConnectResult, StepCommand, StepStats, WorkerInit } from './worker-protocol.js';

/** Spreads senders over the tick so a room does not send in lock-step. */
const GOLDEN = 0.6180339887498949;
const TICK_MS = 2;
const MAX_REASONS = 5;

interface Member {
  readonly index: number;
  client: BenchClient | undefined;
  room: RoomState | undefined;
  /** Position in the room: the marker's member number. */
  position: number;
  /** Number of this sender's next message (continues across steps). */
  nextN: number;
  /** Send time by message number, while unacknowledged. */
  readonly inFlight: Map<number, number>;
  sent: number;
  /** Numbers the system refused this step (never to be delivered). */
  readonly rejectedNs: Set<number>;
  /** Connected when the step started: only such members are expected to receive. */
  activeAtStart: boolean;
}

interface RoomState {
  readonly key: string;
  readonly members: Member[];
  readonly tracker: DeliveryTracker;
  /** Members connected when the step started. */
  activeCount: number;
}

/** Counters of the step in progress. */
class StepCounters {
  sent = 0;
  held = 0;
  acked = 0;
  rejected = 0;
  expected = 0;
  delivered = 0;
  unreadable = 0;
  closed = 0;
  firstSendMs = 0;
  lastSendMs = 0;
  lastDeliveryMs = 0;
  maxLagMs = 0;
  readonly latency = new Histogram();
  readonly ackLatency = new Histogram();
  readonly closeReasons = new Set<string>();
  readonly rejectReasons: Record<string, number> = {};
}

/**
 * The clients one load worker owns: connects them, joins their rooms, sends at a fixed rate per
 * member and accounts for every delivery and acknowledgement.
 */
export class ClientFleet {
  private readonly members: Member[];
  private readonly rooms: RoomState[] = [];
  private tokens: string[] = [];
  private counters = new StepCounters();
  private readonly expectsAck: boolean;

  constructor(private readonly init: WorkerInit) {
    this.members = init.clients.map((_, index) => ({ index, client: undefined, room: undefined, position: 0, nextN: 1, inFlight: new Map(), sent: 0, rejectedNs: new Set(), activeAtStart: false }));
    for (const plan of init.rooms) {
      const room: RoomState = { key: plan.key, members: [], tracker: new DeliveryTracker(plan.members.length), activeCount: 0 };
      plan.members.forEach((clientIndex, position) => {
        const member = this.members[clientIndex];
        if (!member) throw new Error(`room ${plan.key}: no client ${clientIndex}`);
        if (member.room) throw new Error(`client ${clientIndex} is in two rooms`);
        member.room = room;
        member.position = position;
        room.members.push(member);
      });
      this.rooms.push(room);
    }
    this.expectsAck = init.kind === 'switchboard' || init.durable;
  }

  /** Mints tokens up front so connection timing measures the server, not the signing. */
  async prepare(): Promise<void> {
    const { jwtSecret, kind } = this.init;
    if (kind !== 'switchboard') return;
    if (!jwtSecret) throw new Error('switchboard clients need jwtSecret');
    this.tokens = await Promise.all(this.init.clients.map((c) => mintHostToken(jwtSecret, c.userId, this.init.role ?? BENCH_ROLE)));
  }

  async connect(startAtMs: number): Promise<ConnectResult> {
    const wait = startAtMs - nowMs();
    if (wait > 0) await sleep(wait);
    const latency = new Histogram();
    const errors = new Set<string>();
    let connected = 0;
    await mapLimit(this.members, this.init.connectConcurrency, async (member) => {
      const plan = this.init.clients[member.index]!;
      const started = nowMs();
      try {
        member.client = await connectClient(
          this.init.kind,
          { endpoint: this.init.endpoints[plan.endpoint]!, name: plan.userId, token: this.tokens[member.index], timeoutMs: this.init.connectTimeoutMs },
          this.eventsFor(member),
          this.init.durable,
        );
        latency.recordMs(nowMs() - started);
        if (member.room) await member.client.join(member.room.key);
        connected++;
      } catch (error) {
        if (errors.size < MAX_REASONS) errors.add(error instanceof Error ? error.message : String(error));
        const client = member.client;
        member.client = undefined;
        await client?.close().catch(() => {});
      }
    });
    return {
      attempted: this.members.length,
      connected,
      failed: this.members.length - connected,
      errors: [...errors],
      doneAtMs: nowMs(),
      connectLatency: latency.snapshot(),
    };
  }

  private eventsFor(member: Member): ClientEvents {
    return {
      delivery: (data) => this.onDelivery(member, data),
      ack: (n, ok, reason) => this.onAck(member, n, ok, reason),
      closed: (reason) => {
        member.client = undefined;
        this.counters.closed++;
        if (this.counters.closeReasons.size < MAX_REASONS) this.counters.closeReasons.add(reason);
      },
    };
  }

  private onDelivery(member: Member, data: Uint8Array | string): void {
    const c = this.counters;
    const marker = decodeMarker(data);
    const room = member.room;
    if (!marker || !room) {
      c.unreadable++;
      return;
    }
    if (room.tracker.record(member.position, marker.member, marker.n)) {
      const now = nowMs();
      c.delivered++;
      c.latency.recordMs(now - marker.sentAtMs);
      c.lastDeliveryMs = now;
    }
  }

  private onAck(member: Member, n: number, ok: boolean, reason: string | undefined): void {
    const sentAt = member.inFlight.get(n);
    if (sentAt === undefined) return;
    member.inFlight.delete(n);
    const c = this.counters;
    if (ok) {
      c.acked++;
      c.ackLatency.recordMs(nowMs() - sentAt);
      return;
    }
    c.rejected++;
    member.rejectedNs.add(n);
    c.expected -= this.receiversOf(member);
    const key = reason ?? 'unknown';
    c.rejectReasons[key] = (c.rejectReasons[key] ?? 0) + 1;
  }

  async step(cmd: StepCommand): Promise<StepStats> {
    this.counters = new StepCounters();
    const c = this.counters;
    for (const m of this.members) {
      m.sent = 0;
      m.rejectedNs.clear();
      m.inFlight.clear();
      m.activeAtStart = m.client !== undefined;
    }
    for (const room of this.rooms) {
      room.tracker.beginStep(room.members.map((m) => m.nextN));
      room.activeCount = room.members.filter((m) => m.activeAtStart).length;
    }
    const senders = this.members.filter((m) => m.room !== undefined && m.room.members.length > 1);
    const phases = senders.map((_, k) => (k * GOLDEN) % 1);
    const durationS = cmd.durationMs / 1000;
    const totals = phases.map((phase) => Math.floor(durationS * cmd.ratePerSender + phase));
    const done = new Array<number>(senders.length).fill(0);
    const wantAck = this.init.durable;

    const wait = cmd.startAtMs - nowMs();
    if (wait > 0) await sleep(wait);
    const start = nowMs();
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = nowMs();
        const elapsedS = (now - start) / 1000;
        let finished = true;
        for (let k = 0; k < senders.length; k++) {
          const member = senders[k]!;
          const phase = phases[k]!;
          const due = Math.min(totals[k]!, Math.floor(elapsedS * cmd.ratePerSender + phase));
          if (done[k]! < totals[k]!) finished = false;
          while (done[k]! < due) {
            const intended = start + ((done[k]! + 1 - phase) / cmd.ratePerSender) * 1000;
            if (now - intended > c.maxLagMs) c.maxLagMs = now - intended;
            done[k]!++;
            const client = member.client;
            if (!client || (this.expectsAck && member.inFlight.size >= this.init.maxInFlight)) {
              c.held++;
              continue;
            }
            const n = member.nextN++;
            if (this.expectsAck) member.inFlight.set(n, now);
            client.send(member.room!.key, member.position, n, now, wantAck);
            member.sent++;
            c.sent++;
            c.expected += this.receiversOf(member);
            if (c.firstSendMs === 0) c.firstSendMs = now;
            c.lastSendMs = now;
          }
        }
        if (finished) {
          clearInterval(timer);
          resolve();
        }
      };
      const timer = setInterval(tick, TICK_MS);
    });

    const drained = await this.drain(cmd.drainQuietMs, cmd.drainMaxMs);
    // A message counts as lost when the system acknowledged it (or, for systems that do not
    // acknowledge, when it was sent) and a member never got it. Messages still unacknowledged
    // when the drain gives up are reported as unacked instead.
    let lost = 0;
    for (const room of this.rooms) {
      for (const sender of room.members) {
        const firstN = sender.nextN - sender.sent;
        const settledUpTo = this.settledUpTo(sender);
        let expected = settledUpTo - firstN + 1;
        for (const n of sender.rejectedNs) if (n <= settledUpTo) expected--;
        for (const receiver of room.members) {
          if (receiver === sender || !receiver.activeAtStart) continue;
          lost += Math.max(0, expected - room.tracker.uniqueFrom(receiver.position, sender.position, settledUpTo));
        }
      }
    }
    let duplicated = 0;
    let stale = 0;
    let echoes = 0;
    for (const room of this.rooms) {
      duplicated += room.tracker.duplicates;
      stale += room.tracker.stale;
      echoes += room.tracker.echoes;
    }
    return {
      sent: c.sent,
      held: c.held,
      acked: c.acked,
      rejected: c.rejected,
      unacked: this.expectsAck ? c.sent - c.acked - c.rejected : 0,
      expected: c.expected,
      delivered: c.delivered,
      lost,
      duplicated,
      stale,
      echoes,
      unreadable: c.unreadable,
      latency: c.latency.snapshot(),
      ackLatency: c.ackLatency.snapshot(),
      firstSendMs: c.firstSendMs,
      lastSendMs: c.lastSendMs,
      lastDeliveryMs: c.lastDeliveryMs,
      maxSchedulerLagMs: c.maxLagMs,
      drained,
      closed: c.closed,
      closeReasons: [...c.closeReasons],
      rejectReasons: c.rejectReasons,
    };
  }

  /** Members expected to receive what `member` sends: the others connected when the step started. */
  private receiversOf(member: Member): number {
    const room = member.room;
    if (!room) return 0;
    return room.activeCount - (member.activeAtStart ? 1 : 0);
  }

  /** Waits for outstanding deliveries and acks; true when nothing is outstanding. */
  private async drain(quietMs: number, maxMs: number): Promise<boolean> {
    const c = this.counters;
    const done = () => c.delivered >= c.expected && (!this.expectsAck || c.acked + c.rejected >= c.sent);
    const started = Date.now();
    let progress = -1;
    let lastProgressAt = Date.now();
    while (!done()) {
      const now = Date.now();
      const current = c.delivered + c.acked + c.rejected;
      if (current !== progress) {
        progress = current;
        lastProgressAt = now;
      }
      if (now - lastProgressAt >= quietMs || now - started >= maxMs) return false;
      await sleep(5);
    }
    return true;
  }

  /** The highest number below which every message of this sender was acknowledged or refused. */
  private settledUpTo(member: Member): number {
    if (!this.expectsAck || member.inFlight.size === 0) return member.nextN - 1;
    // Numbers enter the map in increasing order, so the first key is the oldest outstanding.
    const oldest = member.inFlight.keys().next().value as number;
    return oldest - 1;
  }

  async disconnect(): Promise<void> {
    await mapLimit(this.members, 200, async (m) => {
      const client = m.client;
      m.client = undefined;
      await client?.close().catch(() => {});
    });
  }
}
