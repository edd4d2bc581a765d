import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import type { ReportedMessage } from '../api/wire-types.js';
import { useUserNames } from '../chat/use-user-names.js';
import { useT } from '../i18n/i18n-provider.js';
import { useLiveClient } from '../live/live-client-provider.js';

type ModerationAction = 'hide' | 'unhide' | 'delete' | 'dismiss';
const MODERATION_KEY = ['moderation', 'reports'] as const;

/** Open reports, one entry per reported message, with the moderator's four actions. */
export function ModerationQueue() {
  const t = useT();
  const api = useApi();
  const client = useLiveClient();
  const queryClient = useQueryClient();
  const reports = useQuery({ queryKey: MODERATION_KEY, queryFn: () => api.get<{ items: ReportedMessage[] }>('/v1/moderation/reports', { state: 'open', limit: 50 }).then((r) => r.items) });
  useEffect(() => client.on('frame', (f) => f.type === 'message_reported' && void queryClient.invalidateQueries({ queryKey: MODERATION_KEY })), [client, queryClient]);
  const act = useMutation({
    mutationFn: ({ messageId, action, reason }: { messageId: string; action: ModerationAction; reason: string }) => api.post(`/v1/moderation/reports/${encodeURIComponent(messageId)}/actions`, { action, reason }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['moderation'] }),
  });
  const names = useUserNames((reports.data ?? []).map((r) => r.message.sender_id).filter((id): id is string => id !== null));
  if (!reports.data) return <p>{reports.error ? t('common.error', { message: reports.error.message }) : t('common.loading')}</p>;
  if (reports.data.length === 0) return <p>{t('admin.noReports')}</p>;
  return (
    <ul className="report-list">
      {reports.data.map((item) => (
        <ReportEntry key={item.message.id} item={item} sender={item.message.sender_id ? (names.get(item.message.sender_id) ?? '') : ''} busy={act.isPending} onAct={(action, reason) => act.mutate({ messageId: item.message.id, action, reason })} />
      ))}
      {act.error && <li role="alert" className="error">{act.error.message}</li>}
    </ul>
  );
}

function ReportEntry({ item, sender, busy, onAct }: { item: ReportedMessage; sender: string; busy: boolean; onAct(action: ModerationAction, reason: string): void }) {
  const t = useT();
  const [reason, setReason] = useState(() => t('admin.defaultReason'));
  const reasons = Object.entries(item.reasons).map(([r, n]) => `${r} (${n})`).join(', ');
  return (
    <li className="report">
      <blockquote>
        <p className="report-sender">{sender}</p>
        <p>{item.message.hidden ? t('chat.hidden') : item.message.content}</p>
      </blockquote>
      <p>{t('admin.reportedBy', { count: item.report_count, reasons })}</p>
      <label>
        {t('admin.reason')} <input value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <div role="group" aria-label={t('admin.moderation')} className="report-actions">
        {item.message.hidden ? <button type="button" disabled={busy} onClick={() => onAct('unhide', reason)}>{t('admin.unhide')}</button> : <button type="button" disabled={busy} onClick={() => onAct('hide', reason)}>{t('admin.hide')}</button>}
        <button type="button" disabled={busy} onClick={() => onAct('delete', reason)}>{t('admin.deleteMessage')}</button>
        <button type="button" disabled={busy} onClick={() => onAct('dismiss', reason)}>{t('admin.dismiss')}</button>
      </div>
    </li>
  );
}
