import type { UserJson } from '@switchboard/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '../api/api-client.js';
import { useApi } from '../api/api-provider.js';
import { useT } from '../i18n/i18n-provider.js';

/**
 * Finds a user by the host app's id, then disables (or enables) them or ends every session.
 * By id because the API has no user listing: users belong to the host app, which knows them.
 */
export function UsersPanel() {
  const t = useT();
  const api = useApi();
  const queryClient = useQueryClient();
  const inputId = useId();
  const [draft, setDraft] = useState('');
  const [userId, setUserId] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const user = useQuery({
    queryKey: ['admin-user', userId],
    enabled: userId !== null,
    retry: false,
    queryFn: () => api.get<{ user: UserJson }>(`/v1/users/${encodeURIComponent(userId!)}`).then((r) => r.user),
  });
  const change = useMutation({
    mutationFn: async ({ action, target }: { action: 'disable' | 'enable' | 'revoke'; target: UserJson }) => {
      if (action === 'revoke') await api.post(`/v1/users/${encodeURIComponent(target.id)}/revoke-tokens`);
      else await api.put(`/v1/users/${encodeURIComponent(target.id)}`, { disabled: action === 'disable' });
      return { action, target };
    },
    onSuccess: ({ action, target }) => setNotice(action === 'revoke' ? t('admin.revoked', { name: target.display_name }) : null),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['admin-user'] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    setUserId(draft.trim() || null);
  };
  const u = user.data;
  return (
    <div className="users-panel">
      <form onSubmit={submit} role="search">
        <label htmlFor={inputId}>{t('admin.userId')}</label>{' '}
        <input id={inputId} value={draft} onChange={(e) => setDraft(e.target.value)} />{' '}
        <button type="submit">{t('admin.findUser')}</button>
      </form>
      {user.error && <p role="status">{user.error instanceof ApiError && user.error.status === 404 ? t('admin.userNotFound') : t('common.error', { message: user.error.message })}</p>}
      {u && (
        <section className="user-card" aria-label={u.display_name}>
          <h3>{u.display_name} {u.disabled && <span className="badge">{t('admin.disabled')}</span>}</h3>
          <p>{u.email}</p>
          <p>{t('admin.roles', { roles: u.roles.join(', ') })}</p>
          <button type="button" disabled={change.isPending} onClick={() => change.mutate({ action: u.disabled ? 'enable' : 'disable', target: u })}>{u.disabled ? t('admin.enable') : t('admin.disable')}</button>{' '}
          <button type="button" disabled={change.isPending} onClick={() => change.mutate({ action: 'revoke', target: u })}>{t('admin.revoke')}</button>
        </section>
      )}
      {change.error && <p role="alert" className="error">{change.error.message}</p>}
      {notice && <p role="status">{notice}</p>}
    </div>
  );
}
