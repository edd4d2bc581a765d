import type { EscalationStep, NotificationSettings, QuietHours } from '../storage/store.js';

/** A user who never saved settings: pushes on, emails as they happen, nothing muted. */
export const DEFAULT_SETTINGS: Omit<NotificationSettings, 'userId' | 'updatedAt'> = { push: true, email: 'immediate', quietHours: null, mutedConversations: [] };

/** How long a digest user's emails wait, so one email covers the messages of that window. */
export const DIGEST_WINDOW_MS = 3_600_000;

/** Emergency steps (`urgency: high`) reach people in muted conversations and in quiet hours. */
export const isEmergency = (step: EscalationStep) => step.urgency === 'high';

/**
 * The one place a user's preferences stop a step: why it must not fire, or `undefined`.
 * Emails go out in quiet hours (they do not ring); pushes and host-app calls wait for morning
 * unless the step is an emergency.
 */
export function stepBlockedBy(step: EscalationStep, settings: Omit<NotificationSettings, 'userId' | 'updatedAt'>, conversationId: string, at: Date): string | undefined {
  const emergency = isEmergency(step);
  if (!emergency && settings.mutedConversations.includes(conversationId)) return 'muted';
  if (step.channel === 'push' && !settings.push) return 'preference';
  if (step.channel === 'email' && settings.email === 'off') return 'preference';
  if (!emergency && step.channel !== 'email' && settings.quietHours !== null && inQuietHours(settings.quietHours, at)) return 'quiet_hours';
  return undefined;
}

/** Whether `at` falls in the window, which may span midnight (22:00–07:00). */
export function inQuietHours(quiet: QuietHours, at: Date): boolean {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: quiet.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const minute = (name: 'hour' | 'minute') => Number(parts.find((p) => p.type === name)?.value ?? 0);
  const now = minute('hour') * 60 + minute('minute');
  const [start, end] = [quiet.start, quiet.end].map((hm) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5))) as [number, number];
  return start <= end ? now >= start && now < end : now >= start || now < end;
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
