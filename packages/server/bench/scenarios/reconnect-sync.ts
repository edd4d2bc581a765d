import type { BenchContext } from '../bench-context.js';
import { nowMs, sleep } from '../clock.js';
import { SwitchboardClient } from '../load/clients/switchboard-client.js';
import type { ClientEvents } from '../load/clients/types.js';
import { ProcSampler } from '../proc-sampler.js';
import type { SyncResult } from '../results-model.js';
import type { SwitchboardSystem } from '../switchboard/switchboard-system.js';
import { mintHostToken } from '../switchboard/tokens.js';

interface SyncPage {
  conversation_id: string;
  messages: Array<{ seq: number }>;
  has_more: boolean;
  last_seq: number | null;
}

const quietEvents = (onAck: ClientEvents['ack'] = () => {}): ClientEvents => ({ delivery: () => {}, ack: onAck, closed: () => {} });
const WINDOW = 50;
const WRITERS = 4;

/**
 * Scenario 5: a reader goes offline, M messages are committed to its conversation, the reader
 * reconnects and pages through `sync` (has_more) until it is current. Checks every seq arrives
 * once, in order, with no gap.
 */
export async function runReconnectSync(ctx: BenchContext, system: SwitchboardSystem): Promise<SyncResult> {
  const missed = ctx.plan.syncMissed;
  const limit = ctx.plan.syncPageLimit;
  const [room] = await system.prepareRooms('sync', 1, 2);
  if (!room) throw new Error('no room');
  const [writerId, readerId] = room.userIds as [string, string];
  const endpoint = system.endpoints[0]!;
  const connect = async (userId: string, events: ClientEvents) =>
    SwitchboardClient.connect({ endpoint, name: userId, token: await mintHostToken(system.jwtSecret, userId), timeoutMs: 20_000 }, events);

  // The reader is current, then goes away.
  const reader = await connect(readerId, quietEvents());
  const first = await reader.request('sync', { conversations: [{ id: room.key, after_seq: 0 }], limit: 1 });
  const base = ((first.conversations as SyncPage[] | undefined)?.[0]?.last_seq ?? 0) as number;
  await reader.close();

  // M messages are committed while it is away, from WRITERS connections of the writer (each
  // connection's frames are handled in order, so one connection alone would be latency-bound).
  ctx.log(`  sync: writing ${missed} messages while the reader is offline`);
  let acked = 0;
  let failed = 0;
  let sent = 0;
  const fillStart = nowMs();
  const writers: SwitchboardClient[] = [];
  await new Promise<void>((resolve, reject) => {
    const inFlight = new Array<number>(WRITERS).fill(0);
    const pump = () => {
      for (let w = 0; w < writers.length; w++) {
        while (sent < missed && inFlight[w]! < WINDOW) {
          sent++;
          inFlight[w]!++;
          writers[w]!.send(room.key, 0, sent, nowMs());
        }
      }
      if (acked + failed >= missed) resolve();
    };
    Promise.all(
      Array.from({ length: WRITERS }, (_, w) =>
        connect(
          writerId,
          quietEvents((_n, ok) => {
            inFlight[w]!--;
            if (ok) acked++;
            else failed++;
            pump();
          }),
        ),
      ),
    ).then((clients) => {
      writers.push(...clients);
      pump();
    }, reject);
  });
  const fillMs = nowMs() - fillStart;
  await Promise.all(writers.map((w) => w.close()));
  if (failed > 0) throw new Error(`${failed} of ${missed} sends were refused while filling`);
  await sleep(200);

  // The reader reconnects and syncs.
  const sampler = new ProcSampler(system.pids);
  sampler.begin();
  const t0 = nowMs();
  const again = await connect(readerId, quietEvents());
  const t1 = nowMs();
  let afterSeq = base;
  let pages = 0;
  let synced = 0;
  let gaps = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  const seen = new Set<number>();
  for (;;) {
    const reply = await again.request('sync', { conversations: [{ id: room.key, after_seq: afterSeq }], limit });
    if (reply.success !== true) throw new Error(`sync refused: ${JSON.stringify(reply).slice(0, 200)}`);
    const page = (reply.conversations as SyncPage[])[0]!;
    pages++;
    for (const m of page.messages) {
      if (seen.has(m.seq)) duplicates++;
      else {
        seen.add(m.seq);
        synced++;
      }
      if (m.seq < afterSeq + 1) outOfOrder++;
      else if (m.seq > afterSeq + 1) gaps += m.seq - afterSeq - 1;
      afterSeq = Math.max(afterSeq, m.seq);
    }
    if (!page.has_more || page.messages.length === 0) break;
  }
  const t2 = nowMs();
  const window = sampler.end();
  await again.close();
  const expectedLast = base + missed;
  if (afterSeq < expectedLast) gaps += expectedLast - afterSeq;
  return {
    kind: 'sync',
    system: system.name,
    missed,
    synced,
    pages,
    connectMs: round(t1 - t0),
    syncMs: round(t2 - t1),
    totalMs: round(t2 - t0),
    msgsPerSec: Math.round(synced / Math.max(0.001, (t2 - t0) / 1000)),
    gaps,
    duplicates,
    outOfOrder,
    cpuUsPerMessage: synced > 0 ? Math.round((window.cpuUs / synced) * 10) / 10 : 0,
    fillMsgsPerSec: Math.round(missed / (fillMs / 1000)),
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
