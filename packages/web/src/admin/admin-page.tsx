import { NavLink, useParams } from 'react-router';
import { can, type Session } from '../api/session.js';
import { useT } from '../i18n/i18n-provider.js';
import { AnalyticsCharts } from './analytics-charts.js';
import { AuditLog } from './audit-log.js';
import { ModerationQueue } from './moderation-queue.js';
import { UsersPanel } from './users-panel.js';

const TABS = [
  { id: 'analytics', label: 'admin.analytics', ability: 'users.manage' },
  { id: 'moderation', label: 'admin.moderation', ability: 'messages.moderate' },
  { id: 'users', label: 'admin.users', ability: 'users.manage' },
  { id: 'audit', label: 'admin.audit', ability: 'messages.moderate' },
] as const;

/** `/admin/:tab`: each tab only for those whose abilities the API behind it asks for. */
export function AdminPage({ session }: { session: Session }) {
  const t = useT();
  const { tab } = useParams();
  const tabs = TABS.filter((x) => can(session, x.ability));
  const current = tabs.find((x) => x.id === tab) ?? tabs[0];
  if (!current) return <main id="main" className="placeholder"><p>{t('admin.forbidden')}</p></main>;
  return (
    <div className="admin-page">
      <nav className="sidebar" aria-label={t('admin.title')}>
        <h1>{t('admin.title')}</h1>
        <ul>
          {tabs.map((x) => (
            <li key={x.id}><NavLink to={`/admin/${x.id}`} aria-current={x.id === current.id ? 'page' : undefined}>{t(x.label)}</NavLink></li>
          ))}
        </ul>
      </nav>
      <main id="main" className="main-pane admin-main">
        <h2>{t(current.label)}</h2>
        {current.id === 'analytics' && <AnalyticsCharts />}
        {current.id === 'moderation' && <ModerationQueue />}
        {current.id === 'users' && <UsersPanel />}
        {current.id === 'audit' && <AuditLog />}
      </main>
    </div>
  );
}
