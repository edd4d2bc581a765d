import { resolve } from 'node:path';
import { PACKAGE_DIR } from './package-paths.js';

export const SCENARIOS = ['fanout', 'one-to-one', 'idle', 'storm', 'sync', 'two-node', 'search'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  readonly quick: boolean;
  /** Also run Switchboard on PostgreSQL + Redis, one node and two nodes. */
  readonly pgRedis: boolean;
  /** Load-generator worker processes. */
  readonly workers: number;
  readonly only: ReadonlySet<ScenarioName> | undefined;
  readonly peers: boolean;
  /** Run the server under test with --cpu-prof and summarise where its time went. */
  readonly profile: boolean;
  readonly outDir: string;
  /**
   * Fixed offered rates for the stepped scenarios (fan-out, one-to-one, two-node) instead of their
   * climbs, in each one's unit: deliveries/s for fan-out, messages/s for the others.
   */
  readonly rates: readonly number[] | undefined;
}

const DEFAULT_OUT = resolve(PACKAGE_DIR, '..', '..', 'bench', 'results');

export const USAGE = `npm run bench [-- options]

  --quick          small N and short steps (under 60 s in all)
  --pg-redis       also run one and two Switchboard nodes on PostgreSQL + Redis (durable 1:1)
  --only=a,b       scenarios: ${SCENARIOS.join(', ')}
  --no-peers       skip Mosquitto, NATS and the Socket.IO relay
  --workers=N      load-generator processes (default 2)
  --rates=N[,M]    run the stepped scenarios at these offered rates only, every one even past a
                   break, instead of climbing: deliveries/s for fanout, msg/s for one-to-one and
                   two-node (e.g. --only=one-to-one --rates=20000 --no-peers)
  --profile        run the server with --cpu-prof and print its hottest functions
  --out=DIR        where results go (default bench/results at the repository root)
  --help`;

export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  let quick = false;
  let pgRedis = false;
  let workers = 2;
  let only: Set<ScenarioName> | undefined;
  let peers = true;
  let profile = false;
  let outDir = DEFAULT_OUT;
  let rates: number[] | undefined;
  for (const arg of argv) {
    const [flag, value] = arg.split(/=(.*)/s) as [string, string | undefined];
    switch (flag) {
      case '--quick':
        quick = true;
        break;
      case '--pg-redis':
        pgRedis = true;
        break;
      case '--no-peers':
        peers = false;
        break;
      case '--profile':
        profile = true;
        break;
      case '--workers':
        workers = Math.max(1, Math.min(16, Number(value) || 2));
        break;
      case '--out':
        if (!value) throw new Error('--out needs a directory');
        outDir = resolve(value);
        break;
      case '--rates': {
        const values = (value ?? '').split(',').filter(Boolean);
        if (values.length === 0) throw new Error('--rates needs one or more offered rates, e.g. --rates=20000 or --rates=5000,20000');
        rates = values.map((v) => {
          const rate = Number(v);
          if (!Number.isFinite(rate) || rate <= 0) throw new Error(`--rates: ${v} is not a positive rate`);
          return rate;
        });
        break;
      }
      case '--only': {
        const names = (value ?? '').split(',').filter(Boolean);
        for (const n of names) if (!(SCENARIOS as readonly string[]).includes(n)) throw new Error(`unknown scenario ${n}; known: ${SCENARIOS.join(', ')}`);
        only = new Set(names as ScenarioName[]);
        break;
      }
      case '--help':
      case '-h':
        return 'help';
      default:
        throw new Error(`unknown option ${arg}\n\n${USAGE}`);
    }
  }
  if (only?.has('two-node')) pgRedis = true;
  return { quick, pgRedis, workers, only, peers, profile, outDir, rates };
}

export function wants(options: BenchOptions, scenario: ScenarioName): boolean {
  if (scenario === 'two-node' && !options.pgRedis) return false;
  return options.only === undefined || options.only.has(scenario);
}
