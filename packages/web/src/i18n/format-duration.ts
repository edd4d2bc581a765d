import type { Translate } from './i18n-provider.js';

/** A wait or a response time in its largest whole unit: "42 s", "7 min", "3 h", "2 d". */
export function formatDuration(t: Translate, ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return t('duration.seconds', { n: seconds });
  if (seconds < 3600) return t('duration.minutes', { n: Math.floor(seconds / 60) });
  if (seconds < 86_400) return t('duration.hours', { n: Math.floor(seconds / 3600) });
  return t('duration.days', { n: Math.floor(seconds / 86_400) });
}
