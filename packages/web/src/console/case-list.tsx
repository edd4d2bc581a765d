import { Link } from 'react-router';
import type { SupportCase } from '../api/wire-types.js';
import { formatDuration } from '../i18n/format-duration.js';
import { useT } from '../i18n/i18n-provider.js';

/** The cases of the chosen view, oldest waiting first as the API orders them. */
export function CaseList({ cases, selectedId }: { cases: readonly SupportCase[]; selectedId: string | undefined }) {
  const t = useT();
  if (cases.length === 0) return <p className="empty">{t('console.noCases')}</p>;
  const now = Date.now();
  return (
    <ul className="case-list">
      {cases.map((c) => (
        <li key={c.conversation_id}>
          <Link to={`/console/${encodeURIComponent(c.conversation_id)}`} aria-current={c.conversation_id === selectedId ? 'page' : undefined} className={`case-link status-${c.status}`}>
            <span className="case-subject">{c.subject}</span>
            <span className="case-meta">
              {t(`console.status.${c.status}`)} · {c.queue} · {formatDuration(t, now - Date.parse(c.created_at))}
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
