import { sleep } from './clock.js';
import { MachineSampler, readProc } from './proc-sampler.js';

export interface SettleOptions {
  /** The processes must use less than this (% of one core)… */
  readonly maxPercent?: number;
  /** …and the whole machine less than this (other sessions' work included), when set. */
  readonly machineMaxPercent?: number;
  readonly windowMs?: number;
  readonly timeoutMs?: number;
}

/**
 * Waits until the processes are nearly idle (under `maxPercent` of a core over `windowMs`), so a
 * step does not pay for the backlog of the one before, and optionally until the rest of the
 * machine is quiet too; gives up after `timeoutMs`. Returns whether it settled.
 */
export async function settle(pids: readonly number[], { maxPercent = 15, machineMaxPercent, windowMs = 200, timeoutMs = 10_000 }: SettleOptions = {}): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const cpu = () => pids.reduce((sum, pid) => sum + (readProc(pid)?.cpuUs ?? 0), 0);
  while (Date.now() < deadline) {
    const before = cpu();
    const machine = new MachineSampler();
    machine.begin();
    await sleep(windowMs);
    const percent = ((cpu() - before) / 1000 / windowMs) * 100;
    const busy = machine.end().busyPercent;
    if (percent < maxPercent && (machineMaxPercent === undefined || busy < machineMaxPercent)) return true;
  }
  return false;
}
