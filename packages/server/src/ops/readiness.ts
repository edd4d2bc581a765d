/** One dependency a node needs to serve well, and how to ask it. */
export interface DependencyCheck {
  /** Its name in `/ready`'s body: `store`, `redis`. */
  readonly name: string;
  /** Resolves when the dependency answers now; rejects (or takes longer than `timeoutMs`) when not. */
  check(): Promise<void>;
  /** Longest the check may take before it counts as failed, in ms. */
  readonly timeoutMs: number;
}

/** What `/ready` reports: every dependency by name, `ok` or `unavailable`, and which failed. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly dependencies: Readonly<Record<string, 'ok' | 'unavailable'>>;
  readonly failed: readonly string[];
  /** Why each failed one failed, for the log only: errors name hosts and ports, the probe is public. */
  readonly reasons: Readonly<Record<string, string>>;
}

/**
 * Asks every dependency at once, each within its own bound, so a stalled one (a partition
 * answers nothing, rather than refusing) makes the node unready within that bound instead of
 * leaving the probe hanging until the load balancer's own timeout.
 * @example const report = await new Readiness([{ name: 'store', check: () => store.ping(), timeoutMs: 6000 }]).check();
 */
export class Readiness {
  constructor(private readonly dependencies: readonly DependencyCheck[]) {}

  async check(): Promise<ReadinessReport> {
    const outcomes = await Promise.all(this.dependencies.map(async (d) => [d.name, await failure(d)] as const));
    const failed = outcomes.filter(([, reason]) => reason !== undefined).map(([name]) => name);
    return {
      ready: failed.length === 0,
      dependencies: Object.fromEntries(outcomes.map(([name, reason]) => [name, reason === undefined ? 'ok' : 'unavailable'])),
      failed,
      reasons: Object.fromEntries(outcomes.filter((o): o is readonly [string, string] => o[1] !== undefined)),
    };
  }
}

/** Why the dependency did not answer in time, or undefined when it did. */
async function failure(dependency: DependencyCheck): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${dependency.timeoutMs} ms`)), dependency.timeoutMs);
  });
  try {
    await Promise.race([dependency.check(), late]);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}
