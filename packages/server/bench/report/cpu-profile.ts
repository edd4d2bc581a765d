import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileSummary } from '../results-model.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The server's own modules: src/…, run from source or compiled (dist/src/…). */
const OWN = /packages\/server\/(?:dist\/)?(src\/.*)$/;

/** Where a function lives, short: `pkg/file.js:line` for dependencies, `src/…:line` for ours. */
function where(url: string, line: number): string {
  if (!url) return '';
  // Line numbers of the compiled JavaScript (tsc's or tsx's) are not the TypeScript source's: our
  // own functions are named by file only.
  const at = line > 0 ? `:${line + 1}` : '';
  const path = url.replace(/^file:\/\//, '');
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path);
  if (dep) return `${dep[1]}/${dep[2]!.split('/').pop()}${at}`;
  const own = OWN.exec(path);
  if (own) return own[1]!;
  if (path.startsWith('node:')) return path;
  return `${path.split('/').slice(-2).join('/')}${at}`;
}

/** A coarse bucket for self time: a dependency, a directory of ours, a Node internal, V8. */
function area(frame: ProfileNode['callFrame']): string {
  const { functionName, url } = frame;
  if (!url) {
    if (functionName.startsWith('(')) return functionName;
    return `native ${functionName || '(anonymous)'}`;
  }
  const path = url.replace(/^file:\/\//, '');
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (dep) return dep[1]!;
  const own = /packages\/server\/(?:dist\/)?src\/([^/]+)/.exec(path);
  if (own) return `src/${own[1]}`;
  if (path.startsWith('node:')) return path.replace(/^node:internal\//, 'node:').split('/').slice(0, 2).join('/');
  return 'other';
}

const percent = (t: number, total: number) => Math.round((t / total) * 1000) / 10;

function top(map: Map<string, number>, total: number, limit: number): Array<{ fn: string; percent: number }> {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([fn, t]) => ({ fn, percent: percent(t, total) }));
}

/**
 * Summarises the V8 CPU profiles in `dir` (written by the server under test with --cpu-prof):
 * self time by function and by area, and inclusive time of the server's own functions, as
 * shares of non-idle time. Time blocked in a synchronous call (an fsync inside better-sqlite3)
 * counts against that call.
 */
export function summariseProfiles(dir: string, limit = 15): ProfileSummary | undefined {
  if (!existsSync(dir)) return undefined;
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    profile.samples.forEach((id, i) => {
      const node = byId.get(id);
      if (!node || node.callFrame.functionName === '(idle)') return;
      const dt = profile.timeDeltas[i] ?? 0;
      const { functionName, url, lineNumber } = node.callFrame;
      const key = `${functionName || '(anonymous)'} ${where(url, lineNumber)}`.trim();
      self.set(key, (self.get(key) ?? 0) + dt);
      const a = area(node.callFrame);
      areas.set(a, (areas.get(a) ?? 0) + dt);
      total += dt;
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const frame = byId.get(cur)?.callFrame;
        if (!frame || !OWN.test(frame.url)) continue;
        const k = `${frame.functionName || '(anonymous)'} ${where(frame.url, frame.lineNumber)}`;
        if (seen.has(k)) continue;
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
      }
    });
  }
  if (total === 0) return undefined;
  return { totalMs: Math.round(total / 1000), self: top(self, total, limit), areas: top(areas, total, limit), inclusive: top(inclusive, total, limit) };
}
