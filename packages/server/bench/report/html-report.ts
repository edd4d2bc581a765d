import { FANOUT_P99_MS, ONE_TO_ONE_P99_MS, REFERENCE_DELIVERIES } from '../bench-plan.js';
import type { BenchReport, IdleResult, LoadScenarioId, LoadScenarioResult, SkippedResult, StormResult } from '../results-model.js';
import { bytes, compact, int, ms, us } from './format.js';
import { connectionsGrid, ratiosGrid, syncGrid, systemsGrid, type Grid } from './report-grids.js';
import { loadResults, SCENARIO_TITLES, stepAt, syncResult } from './result-queries.js';
import { barChart, colorOf, escapeXml as esc, lineChart, type Series } from './svg-charts.js';

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1400px;color:#1f2328;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #d0d7de;padding-bottom:4px}h3{font-size:15px}
table{border-collapse:collapse;font-size:12px;margin:8px 0}th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:right}
th{background:#f6f8fa}td.l,th.l{text-align:left}.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.na{color:#6e7781}
.broken{color:#cf222e}.charts{display:flex;flex-wrap:wrap;gap:12px}.note{color:#57606a;font-size:12px}code{background:#f6f8fa;padding:1px 4px}
`;

/** A self-contained HTML report: tables plus inline SVG plots, no scripts or external assets. */
export function renderHtml(report: BenchReport): string {
  const body: string[] = [];
  body.push(`<h1>Switchboard bench — ${report.mode} run</h1>`);
  body.push(
    `<p class="note">${esc(report.startedAt)} · ${report.durationS} s · ${report.machine.cpus}× ${esc(report.machine.cpuModel)} · ${report.machine.memGb} GB · Node ${esc(report.machine.node)} · Linux ${esc(report.machine.kernel)} · open files ${report.machine.openFiles ?? '?'}</p>`,
  );
  body.push('<h2>Systems</h2>', gridTable(systemsGrid(report)));
  body.push(
    '<h2>Targets</h2>',
    `<table><tr><th class="l">target</th><th class="l">status</th><th class="l">measured</th></tr>${report.targets
      .map((t) => `<tr><td class="l">${esc(t.target)}</td><td class="l ${t.status === 'pass' ? 'pass' : t.status === 'fail' ? 'fail' : 'na'}">${t.status.toUpperCase()}</td><td class="l">${esc(t.measured)}</td></tr>`)
      .join('')}</table>`,
  );
  if (report.ratios.length > 0) {
    body.push('<h2>Switchboard ÷ peer</h2>', gridTable(ratiosGrid(report)));
  }

  const loads = loadResults(report.results);
  for (const scenario of ['fanout-10', 'fanout-50', 'one-to-one', 'two-node'] as LoadScenarioId[]) {
    const rs = loads.filter((r) => r.scenario === scenario);
    if (rs.length === 0) continue;
    body.push(`<h2>${esc(SCENARIO_TITLES[scenario])}</h2>`);
    body.push(`<p class="note">${esc(describe(rs[0]!))}</p>`);
    const durable = scenario === 'one-to-one' || scenario === 'two-node';
    const charts: string[] = [];
    charts.push(
      lineChart({
        title: 'Latency send → deliver (p50 dashed, p99 solid)',
        xLabel: 'offered deliveries per second',
        yLabel: 'ms',
        logX: true,
        logY: true,
        threshold: { y: durable ? ONE_TO_ONE_P99_MS : FANOUT_P99_MS, label: `${durable ? ONE_TO_ONE_P99_MS : FANOUT_P99_MS} ms` },
        series: rs.flatMap((r, i) => percentileSeries(r, i, (s) => s.latency)),
      }),
    );
    if (durable) {
      charts.push(
        lineChart({
          title: 'Acknowledgement latency (p50 dashed, p99 solid)',
          xLabel: 'offered messages per second',
          yLabel: 'ms',
          logX: true,
          logY: true,
          threshold: { y: ONE_TO_ONE_P99_MS, label: `${ONE_TO_ONE_P99_MS} ms` },
          series: rs.flatMap((r, i) => percentileSeries(r, i, (s) => s.ack)),
        }),
      );
    }
    charts.push(
      lineChart({
        title: 'Delivered vs offered',
        xLabel: 'offered deliveries per second',
        yLabel: 'delivered per second',
        logX: true,
        logY: true,
        series: rs.map((r, i) => ({ name: r.system, color: colorOf(r.system, i), points: r.steps.map((s) => [s.offeredDeliveriesPerSec, s.deliveriesPerSec] as const) })),
      }),
    );
    charts.push(
      lineChart({
        title: 'CPU per delivery (system processes)',
        xLabel: 'offered deliveries per second',
        yLabel: 'µs per delivery',
        logX: true,
        logY: true,
        series: rs.map((r, i) => ({ name: r.system, color: colorOf(r.system, i), points: r.steps.map((s) => [s.offeredDeliveriesPerSec, s.cpuUsPerDelivery] as const) })),
      }),
    );
    if (scenario === 'fanout-10') {
      const bars = rs
        .map((r, i) => ({ r, i, step: stepAt(r, REFERENCE_DELIVERIES) }))
        .filter((x) => x.step !== undefined)
        .map(({ r, i, step }) => ({ label: r.system, value: step!.cpuUsPerDelivery, color: colorOf(r.system, i), text: us(step!.cpuUsPerDelivery) }));
      if (bars.length > 0) charts.push(barChart(`CPU per delivery at ${compact(REFERENCE_DELIVERIES)} deliveries/s`, bars, 'µs'));
    }
    body.push(`<div class="charts">${charts.join('')}</div>`);
    body.push(stepsTable(rs));
  }

  const idle = report.results.filter((r): r is IdleResult => r.kind === 'idle');
  const storm = report.results.filter((r): r is StormResult => r.kind === 'storm');
  if (idle.length + storm.length > 0) {
    body.push('<h2>Connections</h2>');
    const charts: string[] = [];
    if (idle.length > 0) charts.push(barChart('Memory per idle connection', idle.map((r, i) => ({ label: r.system, value: r.bytesPerConnection, color: colorOf(r.system, i), text: bytes(r.bytesPerConnection) })), `(N=${int(idle[0]!.connected)})`));
    if (storm.length > 0) charts.push(barChart('Connection storm', storm.map((r, i) => ({ label: r.system, value: r.connectsPerSec, color: colorOf(r.system, i), text: int(r.connectsPerSec) })), 'connects/s'));
    body.push(`<div class="charts">${charts.join('')}</div>`);
    body.push(gridTable(connectionsGrid(idle, storm)));
    const notes = [...idle, ...storm].flatMap((r) => [...(r.kind === 'idle' ? r.notes : []), ...r.errors].map((n) => `${r.kind} ${r.system}: ${n}`));
    if (notes.length > 0) body.push(`<ul class="note">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  }

  const sync = syncResult(report.results);
  if (sync) {
    body.push('<h2>Reconnect and sync</h2>', gridTable(syncGrid(sync)));
  }
  const skipped = report.results.filter((r): r is SkippedResult => r.kind === 'skipped');
  if (skipped.length > 0) body.push('<h2>Skipped</h2>', table(['scenario', 'system', 'reason'], skipped.map((s) => [s.scenario, s.system, s.reason]), 3));
  if (report.profile) {
    const p = report.profile;
    body.push(`<h2>Server CPU profile</h2><p class="note">${int(p.totalMs)} ms of non-idle main-thread time; time blocked in a synchronous call (an fsync inside SQLite) counts against that call.</p>`);
    body.push('<div class="charts">');
    body.push(table(['self %', 'function'], p.self.map((x) => [x.percent.toFixed(1), x.fn]), 0));
    body.push(table(['self %', 'area'], p.areas.map((x) => [x.percent.toFixed(1), x.fn]), 0));
    body.push(table(['inclusive %', 'server function'], p.inclusive.map((x) => [x.percent.toFixed(1), x.fn]), 0));
    body.push('</div>');
  }
  if (report.notes.length > 0) body.push('<h2>Notes</h2>', `<ul>${report.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  body.push(`<h2>Options</h2><pre>${esc(JSON.stringify(report.options, null, 2))}</pre>`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Switchboard bench ${esc(report.startedAt)}</title><style>${STYLE}</style></head><body>${body.join('\n')}</body></html>\n`;
}

function describe(r: LoadScenarioResult): string {
  return `${r.roomCount} rooms of ${r.roomSize} (${int(r.roomCount * r.roomSize)} clients); every member sends at a fixed rate; ${
    r.steps[0] ? `${r.steps[0].durationMs / 1000} s per step` : ''
  }; a step breaks when p99 passes the threshold or anything is lost.`;
}

function percentileSeries(r: LoadScenarioResult, index: number, pick: (s: LoadScenarioResult['steps'][number]) => { p50: number; p99: number; count: number }): Series[] {
  const color = colorOf(r.system, index);
  const steps = r.steps.filter((s) => pick(s).count > 0);
  const x = (s: LoadScenarioResult['steps'][number]) => (r.scenario === 'one-to-one' || r.scenario === 'two-node' ? s.offeredMsgsPerSec : s.offeredDeliveriesPerSec);
  return [
    { name: `${r.system} p99`, color, points: steps.map((s) => [x(s), pick(s).p99] as const) },
    { name: `${r.system} p50`, color, dash: '5 4', points: steps.map((s) => [x(s), pick(s).p50] as const) },
  ];
}

function stepsTable(rs: readonly LoadScenarioResult[]): string {
  const rows: string[][] = [];
  for (const r of rs) {
    for (const s of r.steps) {
      rows.push([
        r.system,
        compact(s.offeredMsgsPerSec),
        compact(s.offeredDeliveriesPerSec),
        compact(s.deliveredMsgsPerSec),
        compact(s.deliveriesPerSec),
        compact(s.ackedMsgsPerSec),
        ms(s.latency.p50),
        ms(s.latency.p95),
        ms(s.latency.p99),
        ms(s.latency.max),
        s.ack.count > 0 ? `${ms(s.ack.p50)} / ${ms(s.ack.p99)}` : '—',
        int(s.lost),
        int(s.duplicated),
        us(s.cpuUsPerDelivery),
        `${Math.round(s.cpuPercent)} %`,
        s.mainThread ? `${Math.round(s.mainThread.onCpuPercent)} / ${Math.round(s.mainThread.waitCpuPercent)} / ${Math.round(s.mainThread.offCpuPercent)}` : '—',
        `${Math.round(s.loadgenCpuPercent)} %`,
        `${Math.round(s.otherCpuPercent)} %`,
        bytes(s.rssPeakBytes),
        s.bytesPerConnection > 0 ? bytes(s.bytesPerConnection) : '—',
        s.broken ? `broke: ${s.broken}` : 'held',
        s.notes.join('; '),
      ]);
    }
  }
  const notes = rs.flatMap((r) => [...r.notes.map((n) => `${r.system}: ${n}`), ...(r.scenario === 'one-to-one' || r.scenario === 'two-node' ? [`${r.system} ack: ${r.durability}`] : [])]);
  return (
    table(
      ['system', 'offer msg/s', 'offer del/s', 'msg/s', 'del/s', 'acked/s', 'p50', 'p95', 'p99', 'max', 'ack p50/p99', 'lost', 'dup', 'cpu µs/del', 'cpu', 'main thread run / wait / off %', 'lg cpu', 'other cpu', 'RSS peak', 'B/conn', 'verdict', 'notes'],
      rows,
      1,
    ) + (notes.length > 0 ? `<ul class="note">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '')
  );
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, leftColumns: number): string {
  const cls = (i: number) => (i < leftColumns || i === header.length - 1 ? ' class="l"' : '');
  return `<table><tr>${header.map((h, i) => `<th${cls(i)}>${esc(h)}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}${c.startsWith('broke') ? ' style="color:#cf222e"' : ''}>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</table>`;
}


function gridTable(grid: Grid): string {
  return table(grid.header, grid.rows, grid.left);
}
