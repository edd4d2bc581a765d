import type { QueueStats } from '../api/wire-types.js';
import { formatDuration } from '../i18n/format-duration.js';
import { useT } from '../i18n/i18n-provider.js';

/** Each staffed queue with how many wait and for how long the first has waited. */
export function QueueSummary({ queues }: { queues: readonly QueueStats[] }) {
  const t = useT();
  if (queues.length === 0) return <p>{t('console.noQueues')}</p>;
  return (
    <ul className="queue-summary">
      {queues.map((q) => (
        <li key={q.queue} className={q.waiting > 0 ? 'has-waiting' : undefined}>
          <span className="queue-name">{q.queue}</span> <span className="badge">{t('console.waiting', { count: q.waiting })}</span>
          {q.waiting > 0 && <span className="queue-oldest"> {t('console.oldestWait', { duration: formatDuration(t, q.oldest_wait_seconds * 1000) })}</span>}
        </li>
      ))}
    </ul>
  );
}
