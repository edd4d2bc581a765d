import type { BenchReport, IdleResult, SearchBenchResult, SkippedResult, StormResult } from '../results-model.js';
import { bytes, compact, int, ms, textTable, us } from './format.js';
import { connectionsGrid, ratiosGrid, syncGrid, systemsGrid, type Grid } from './report-grids.js';
import { loadResults, syncResult } from './result-queries.js';

/** The whole report as plain text: systems, every step, connections, sync, ratios, targets. */
export function renderTerminal(report: BenchReport): string {
  const out: string[] = [];
  out.push(`SWITCHBOARD BENCH — ${report.mode} run, ${report.durationS} s, ${report.machine.cpus}× ${report.machine.cpuModel}, Node ${report.machine.node}`);
  out.push('');
  out.push(gridText(systemsGrid(report)));

  const loads = loadResults(report.results);
  if (loads.length > 0) {
    out.push(
      '',
      'LOAD STEPS (latency send→deliver in ms; ack = send→acknowledgement; cpu = system processes, lg = load generator, other = rest of the machine, in % of one core;',
      "  main = the system's main thread in % of wall time: running / waiting for a CPU / off CPU, i.e. idle or blocked in a syscall such as fsync)",
    );
    const rows: string[][] = [];
    for (const r of loads) {
      for (const s of r.steps) {
        rows.push([
          r.scenario,
          r.system,
          compact(s.offeredMsgsPerSec),
          compact(s.offeredDeliveriesPerSec),
          compact(s.deliveredMsgsPerSec),
          compact(s.deliveriesPerSec),
          ms(s.latency.p50),
          ms(s.latency.p95),
          ms(s.latency.p99),
          ms(s.latency.max),
          s.ack.count > 0 ? ms(s.ack.p99) : '—',
          int(s.lost),
          int(s.duplicated),
          us(s.cpuUsPerDelivery),
          `${Math.round(s.cpuPercent)}%`,
          s.mainThread ? `${Math.round(s.mainThread.onCpuPercent)}/${Math.round(s.mainThread.waitCpuPercent)}/${Math.round(s.mainThread.offCpuPercent)}` : '—',
          `${Math.round(s.loadgenCpuPercent)}%`,
          `${Math.round(s.otherCpuPercent)}%`,
          bytes(s.rssPeakBytes),
          s.bytesPerConnection > 0 ? bytes(s.bytesPerConnection) : '—',
          s.broken ? `BROKE: ${s.broken}` : 'held',
        ]);
      }
    }
    out.push(
      textTable(
        ['scenario', 'system', 'offer msg/s', 'offer del/s', 'msg/s', 'del/s', 'p50', 'p95', 'p99', 'max', 'ack p99', 'lost', 'dup', 'cpu µs/del', 'cpu', 'main run/wait/off', 'lg cpu', 'other', 'RSS', 'B/conn', 'verdict'],
        rows,
      ),
    );
    const noted = loads.filter((r) => r.notes.length > 0 || r.steps.some((s) => s.notes.length > 0));
    for (const r of noted) {
      for (const n of r.notes) out.push(`  note ${r.scenario} ${r.system}: ${n}`);
      for (const s of r.steps) for (const n of s.notes) out.push(`  note ${r.scenario} ${r.system} @ ${compact(s.offeredDeliveriesPerSec)} del/s: ${n}`);
    }
    const durability = loads.filter((r) => r.scenario === 'one-to-one' || r.scenario === 'two-node');
    for (const r of durability) out.push(`  ack meaning ${r.system}: ${r.durability}`);
  }

  const idle = report.results.filter((r): r is IdleResult => r.kind === 'idle');
  const storm = report.results.filter((r): r is StormResult => r.kind === 'storm');
  if (idle.length + storm.length > 0) {
    out.push('', 'CONNECTIONS (idle: RSS delta / N after connecting and settling; storm: reconnect of the same N, many in flight)');
    out.push(gridText(connectionsGrid(idle, storm)));
    for (const i of idle) for (const n of i.notes) out.push(`  note idle ${i.system}: ${n}`);
    for (const r of [...idle, ...storm]) if (r.errors.length > 0) out.push(`  errors ${r.kind} ${r.system}: ${r.errors.join('; ')}`);
  }

  const sync = syncResult(report.results);
  if (sync) {
    out.push('', 'RECONNECT AND SYNC', gridText(syncGrid(sync)));
  }

  for (const search of report.results.filter((r): r is SearchBenchResult => r.kind === 'search')) {
    out.push(
      '',
      `SEARCH (${int(search.messages)} messages, ${int(search.conversations)} conversations; written in ${(search.loadMs / 1000).toFixed(1)} s, indexed in ${(search.indexMs / 1000).toFixed(1)} s; database ${bytes(search.databaseBytes)}; first page of 20, service call in ms)`,
      textTable(
        ['searcher', 'searches', 'p50', 'p95', 'p99', 'max', 'results', 'empty'],
        search.classes.map((c) => [c.label, int(c.latency.count), ms(c.latency.p50), ms(c.latency.p95), ms(c.latency.p99), ms(c.latency.max), c.meanResults.toFixed(1), `${Math.round(c.emptyShare * 100)}%`]),
        new Set([0]),
      ),
      '',
      `DURABLE APPENDS THROUGH THE STORE, WITH AND WITHOUT THE SEARCH INDEX (${search.appends[0]?.messages ?? 0} per run, 64 in flight, alternating; append → commit in ms)`,
      textTable(
        ['index', 'msg/s', 'p50', 'p95', 'p99', 'max'],
        search.appends.map((a) => [a.indexed ? 'with' : 'without', int(a.msgsPerSec), ms(a.latency.p50), ms(a.latency.p95), ms(a.latency.p99), ms(a.latency.max)]),
        new Set([0]),
      ),
    );
  }

  const skipped = report.results.filter((r): r is SkippedResult => r.kind === 'skipped');
  if (skipped.length > 0) {
    out.push('', 'SKIPPED');
    for (const s of skipped) out.push(`  ${s.scenario} ${s.system}: ${s.reason}`);
  }

  if (report.ratios.length > 0) {
    out.push('', 'SWITCHBOARD ÷ PEER (> 1× is better where higher is better, < 1× where lower is better)', gridText(ratiosGrid(report)));
  }

  out.push('', 'TARGETS');
  for (const t of report.targets) out.push(`  [${t.status.toUpperCase().padEnd(4)}] ${t.target}\n         ${t.measured}`);
  if (report.profile) {
    const p = report.profile;
    out.push('', `SERVER CPU PROFILE (${int(p.totalMs)} ms non-idle on the main thread; blocking calls count against the caller)`);
    const rows = Math.max(p.self.length, p.areas.length, p.inclusive.length);
    out.push(
      textTable(
        ['self %', 'function (self time)', 'area %', 'area', 'incl %', 'server function (inclusive)'],
        Array.from({ length: rows }, (_, i) => [
          p.self[i] ? p.self[i]!.percent.toFixed(1) : '',
          p.self[i]?.fn ?? '',
          p.areas[i] ? p.areas[i]!.percent.toFixed(1) : '',
          p.areas[i]?.fn ?? '',
          p.inclusive[i] ? p.inclusive[i]!.percent.toFixed(1) : '',
          p.inclusive[i]?.fn ?? '',
        ]),
        new Set([1, 3, 5]),
      ),
    );
  }
  for (const n of report.notes) out.push(`note: ${n}`);
  return out.join('\n');
}


function gridText(grid: Grid): string {
  return textTable(grid.header, grid.rows, grid.left);
}
