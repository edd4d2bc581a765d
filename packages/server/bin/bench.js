#!/usr/bin/env node
// Runs the benchmark harness: the compiled dist/bench/main.js when the build is current, else
// bench/main.ts through tsx (see compiled-entry.js). Arguments pass through.
//
// 10,000 idle connections need as many descriptors in the server and in the load workers, which
// inherit this process's limit: when the soft limit on open files is low and the hard limit allows
// more, re-run once under `ulimit -n <hard>` (Node cannot raise its own limit).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { runEntry } from './compiled-entry.js';

const WANTED = 24_000;

function openFileLimits() {
  try {
    const match = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!match) return undefined;
    const value = (v) => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v));
    return { soft: value(match[1]), hard: value(match[2]) };
  } catch {
    return undefined;
  }
}

const limits = openFileLimits();
if (limits && limits.soft < WANTED && limits.hard > limits.soft && !process.env.SWITCHBOARD_BENCH_RAISED) {
  const target = Number.isFinite(limits.hard) ? Math.min(limits.hard, 65_536) : 65_536;
  const result = spawnSync('/bin/sh', ['-c', `ulimit -n ${target} && exec "$0" "$@"`, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, SWITCHBOARD_BENCH_RAISED: '1' },
  });
  process.exit(result.status ?? 1);
}

await runEntry('bench/main', 'bench');
