/** Inline SVG charts for the HTML report: no scripts, no external assets. */

export interface Series {
  readonly name: string;
  readonly color: string;
  /** SVG stroke-dasharray, e.g. "4 3". */
  readonly dash?: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly logX?: boolean;
  readonly logY?: boolean;
  /** A horizontal threshold line (e.g. the p99 limit). */
  readonly threshold?: { readonly y: number; readonly label: string };
  readonly width?: number;
  readonly height?: number;
}

export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly color: string;
  readonly text: string;
}

export const SYSTEM_COLORS: Record<string, string> = {
  switchboard: '#1f6feb',
  mosquitto: '#8250df',
  nats: '#1a7f37',
  'socket.io': '#d1242f',
  'switchboard pg 1 node': '#0969da',
  'switchboard pg+redis 2 nodes': '#bf8700',
};

export function colorOf(system: string, index: number): string {
  return SYSTEM_COLORS[system] ?? ['#57606a', '#e16f24', '#0550ae', '#6e7781'][index % 4]!;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function niceLinearTicks(min: number, max: number, count = 5): number[] {
  if (max <= min) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return ticks;
}

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min * 0.999 && v <= max * 1.001) ticks.push(v);
    }
  }
  return ticks.length >= 2 ? ticks : [min, max];
}

function label(v: number): string {
  if (v >= 1_000_000) return `${v / 1_000_000}M`;
  if (v >= 1000) return `${v / 1000}k`;
  return String(Math.round(v * 1000) / 1000);
}

/** A line chart with optional log axes, one line per series, legend underneath. */
export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 660;
  const legendRows = Math.ceil(o.series.length / 3);
  const plotHeight = o.height ?? 300;
  const height = plotHeight + 70 + legendRows * 18;
  const left = 64;
  const right = 16;
  const top = 30;
  const bottom = top + plotHeight - 40;
  const points = o.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logX || x > 0) && (!o.logY || y > 0));
  if (points.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="60"><text x="10" y="30" font-size="13">${escapeXml(o.title)}: no data</text></svg>`;
  let xMin = Math.min(...points.map((p) => p[0]));
  let xMax = Math.max(...points.map((p) => p[0]));
  let yMin = Math.min(...points.map((p) => p[1]), ...(o.threshold ? [o.threshold.y] : []));
  let yMax = Math.max(...points.map((p) => p[1]), ...(o.threshold ? [o.threshold.y] : []));
  if (o.logX) {
    xMin = xMin / 1.3;
    xMax = xMax * 1.3;
  } else {
    xMin = 0;
    xMax = xMax * 1.05 || 1;
  }
  if (o.logY) {
    yMin = Math.max(yMin / 1.5, 1e-3);
    yMax = yMax * 1.5;
  } else {
    yMin = 0;
    yMax = yMax * 1.1 || 1;
  }
  const sx = (x: number) => left + ((o.logX ? Math.log10(x) - Math.log10(xMin) : x - xMin) / (o.logX ? Math.log10(xMax) - Math.log10(xMin) : xMax - xMin)) * (width - left - right);
  const sy = (y: number) => bottom - ((o.logY ? Math.log10(y) - Math.log10(yMin) : y - yMin) / (o.logY ? Math.log10(yMax) - Math.log10(yMin) : yMax - yMin)) * (bottom - top);
  const parts: string[] = [];
  parts.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="600">${escapeXml(o.title)}</text>`);
  const xTicks = o.logX ? logTicks(xMin, xMax) : niceLinearTicks(xMin, xMax);
  const yTicks = o.logY ? logTicks(yMin, yMax) : niceLinearTicks(yMin, yMax);
  for (const t of xTicks) {
    const x = sx(t).toFixed(1);
    parts.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#eaeef2"/>`);
    parts.push(`<text x="${x}" y="${bottom + 16}" text-anchor="middle" font-size="11" fill="#57606a">${label(t)}</text>`);
  }
  for (const t of yTicks) {
    const y = Number(sy(t).toFixed(1));
    parts.push(`<line x1="${left}" y1="${y}" x2="${width - right}" y2="${y}" stroke="#eaeef2"/>`);
    parts.push(`<text x="${left - 6}" y="${y + 4}" text-anchor="end" font-size="11" fill="#57606a">${label(t)}</text>`);
  }
  parts.push(`<rect x="${left}" y="${top}" width="${width - left - right}" height="${bottom - top}" fill="none" stroke="#8c959f"/>`);
  parts.push(`<text x="${(left + width - right) / 2}" y="${bottom + 34}" text-anchor="middle" font-size="12">${escapeXml(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(o.yLabel)}</text>`);
  if (o.threshold) {
    const y = sy(o.threshold.y);
    parts.push(`<line x1="${left}" y1="${y}" x2="${width - right}" y2="${y}" stroke="#cf222e" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${width - right - 4}" y="${y - 4}" text-anchor="end" font-size="11" fill="#cf222e">${escapeXml(o.threshold.label)}</text>`);
  }
  for (const s of o.series) {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logX || x > 0) && (!o.logY || y > 0));
    if (pts.length === 0) continue;
    const d = pts.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    for (const [x, y] of pts) parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${s.color}"><title>${escapeXml(`${s.name}: ${label(x)} → ${Math.round(y * 100) / 100}`)}</title></circle>`);
  }
  o.series.forEach((s, i) => {
    const lx = left + (i % 3) * ((width - left) / 3);
    const ly = bottom + 52 + Math.floor(i / 3) * 18;
    parts.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 22}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    parts.push(`<text x="${lx + 28}" y="${ly}" font-size="11">${escapeXml(s.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">${parts.join('')}</svg>`;
}

/** Horizontal bars, one per system. */
export function barChart(title: string, bars: readonly Bar[], unit: string, width = 660): string {
  const rowHeight = 26;
  const left = 170;
  const height = 40 + bars.length * rowHeight;
  const max = Math.max(...bars.map((b) => b.value), 1e-9);
  const parts = [`<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="600">${escapeXml(title)}</text>`];
  bars.forEach((b, i) => {
    const y = 30 + i * rowHeight;
    const w = Math.max(1, (b.value / max) * (width - left - 120));
    parts.push(`<text x="${left - 8}" y="${y + 15}" text-anchor="end" font-size="12">${escapeXml(b.label)}</text>`);
    parts.push(`<rect x="${left}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${b.color}"/>`);
    parts.push(`<text x="${left + w + 6}" y="${y + 15}" font-size="12">${escapeXml(`${b.text} ${unit}`)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">${parts.join('')}</svg>`;
}
