import type { EscalationStep, NotificationChannelName } from '../storage/store.js';

export const CHANNELS: readonly NotificationChannelName[] = ['push', 'email', 'sms_webhook'];
const DURATION = /^(\d{1,9})(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `"10s"` → 10000; `undefined` when it is not a duration (`<n>ms|s|m|h`). */
export function durationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : undefined;
}

/**
 * Parses `NOTIFICATION_STEPS`: comma-separated `after:channel[:high][:delivered|:read]`, e.g.
 * `30s:push,10m:email` or `0s:push:high:delivered,60s:sms_webhook`; `none` for no escalation.
 * Steps come out in the order of their delays. Throws with a readable reason.
 */
export function parseStepList(text: string): EscalationStep[] {
  if (text.trim() === 'none') return [];
  const steps = text.split(',').map((part) => {
    const [after = '', channel = '', ...flags] = part.trim().split(':');
    const afterMs = durationMs(after);
    if (afterMs === undefined) throw new Error(`"${part}": the delay must be like 0s, 500ms, 10s, 3m or 1h`);
    if (!CHANNELS.includes(channel as NotificationChannelName)) throw new Error(`"${part}": the channel must be one of ${CHANNELS.join(', ')}`);
    let urgency: EscalationStep['urgency'] = 'normal';
    let until: EscalationStep['until'] = 'read';
    for (const flag of flags) {
      if (flag === 'high' || flag === 'normal') urgency = flag;
      else if (flag === 'delivered' || flag === 'read') until = flag;
      else throw new Error(`"${part}": unknown flag "${flag}" (expected high, delivered or read)`);
    }
    return { afterMs, channel: channel as NotificationChannelName, urgency, until };
  });
  return sortSteps(steps);
}

/** Steps fire in the order of their delays, whatever order they were written in. */
export function sortSteps(steps: readonly EscalationStep[]): EscalationStep[] {
  return [...steps].sort((a, b) => a.afterMs - b.afterMs);
}
