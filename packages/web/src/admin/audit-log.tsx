import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/api-provider.js';
import type { AuditEntry } from '../api/wire-types.js';
import { useT } from '../i18n/i18n-provider.js';

/** The newest 100 moderation and administration actions, newest first. */
export function AuditLog() {
  const t = useT();
  const api = useApi();
  const entries = useQuery({ queryKey: ['moderation', 'audit'], queryFn: () => api.get<{ entries: AuditEntry[] }>('/v1/moderation/audit-log', { limit: 100 }).then((r) => r.entries) });
  if (!entries.data) return <p>{entries.error ? t('common.error', { message: entries.error.message }) : t('common.loading')}</p>;
  if (entries.data.length === 0) return <p>{t('admin.noAudit')}</p>;
  return (
    <table className="audit-log">
      <thead>
        <tr>
          <th scope="col">{t('admin.auditWhen')}</th>
          <th scope="col">{t('admin.auditActor')}</th>
          <th scope="col">{t('admin.auditAction')}</th>
          <th scope="col">{t('admin.auditTarget')}</th>
          <th scope="col">{t('admin.auditReason')}</th>
        </tr>
      </thead>
      <tbody>
        {entries.data.map((e) => (
          <tr key={e.id}>
            <td><time dateTime={e.created_at}>{new Date(e.created_at).toLocaleString()}</time></td>
            <td>{e.actor_id ?? '—'}</td>
            <td>{e.action}</td>
            <td>{e.target_type} {e.target_id}</td>
            <td>{e.reason ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
