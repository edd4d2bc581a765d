import type { BenchReport, IdleResult, StormResult, SyncResult } from '../results-model.js';
import { bytes, int, ms, ratio, us } from './format.js';

/**
 * The report's tables as cells, built once for the terminal and the HTML renderers, which differ
 * only in how they lay cells out. `left` is how many leading columns are text.
 */
export interface Grid {
  readonly header: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
  readonly left: number;
}

/** A figure of any size: grouped integers from 1,000, fewer decimals as it grows. */
export function fig(n: number): string {
  return n >= 1000 ? int(n) : n.toFixed(n >= 100 ? 0 : 2);
}

export function systemsGrid(report: BenchReport): Grid {
  return { header: ['system', 'status', 'detail'], rows: report.systems.map((s) => [s.name, s.status, s.status === 'ok' ? s.detail : s.reason ?? '']), left: 3 };
}

/** Idle memory and the connection storm, one row per system that ran either. */
export function connectionsGrid(idle: readonly IdleResult[], storm: readonly StormResult[]): Grid {
  const names = [...new Set([...idle.map((r) => r.system), ...storm.map((r) => r.system)])];
  return {
    header: ['system', 'idle N', 'bytes/conn', 'RSS before', 'RSS after', 'first conn/s', 'cpu µs/first conn', 'storm N', 'storm conn/s', 'p50 ms', 'p99 ms', 'cpu µs/conn', 'failed'],
    rows: names.map((name) => {
      const i = idle.find((r) => r.system === name);
      const s = storm.find((r) => r.system === name);
      return [
        name,
        i ? int(i.connected) : '—',
        i ? bytes(i.bytesPerConnection) : '—',
        i ? bytes(i.rssBeforeBytes) : '—',
        i ? bytes(i.rssAfterBytes) : '—',
        i ? int(i.connectsPerSec) : '—',
        i ? int(i.cpuUsPerConnect) : '—',
        s ? int(s.connected) : '—',
        s ? int(s.connectsPerSec) : '—',
        s ? ms(s.connectLatency.p50) : '—',
        s ? ms(s.connectLatency.p99) : '—',
        s ? int(s.cpuUsPerConnect) : '—',
        `${i?.failed ?? 0}/${s?.failed ?? 0}`,
      ];
    }),
    left: 1,
  };
}

export function syncGrid(sync: SyncResult): Grid {
  return {
    header: ['system', 'missed', 'synced', 'pages', 'connect ms', 'sync ms', 'total ms', 'msg/s', 'gaps', 'dups', 'out of order', 'cpu µs/msg', 'fill msg/s'],
    rows: [[sync.system, int(sync.missed), int(sync.synced), int(sync.pages), ms(sync.connectMs), ms(sync.syncMs), ms(sync.totalMs), int(sync.msgsPerSec), int(sync.gaps), int(sync.duplicates), int(sync.outOfOrder), us(sync.cpuUsPerMessage), int(sync.fillMsgsPerSec)]],
    left: 1,
  };
}

export function ratiosGrid(report: BenchReport): Grid {
  return {
    header: ['metric', 'peer', 'switchboard', 'peer value', 'ratio', 'better is'],
    rows: report.ratios.map((r) => [r.metric, r.peer, fig(r.switchboard), fig(r.peerValue), ratio(r.ratio), r.higherIsBetter ? 'higher' : 'lower']),
    left: 2,
  };
}
