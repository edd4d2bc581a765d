import { useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '../api/api-client.js';
import { useApi } from '../api/api-provider.js';
import type { SearchHit } from '../api/wire-types.js';
import { useT } from '../i18n/i18n-provider.js';

/** `GET /v1/search/messages` within one conversation (newest first); says so plainly where the server has no search. */
export function MessageSearch({ conversationId }: { conversationId: string }) {
  const t = useT();
  const api = useApi();
  const inputId = useId();
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState<string | null>(null);
  const results = useQuery({
    queryKey: ['search', conversationId, query],
    enabled: query !== null && query !== '',
    retry: false,
    queryFn: () => api.get<{ results: SearchHit[] }>('/v1/search/messages', { q: query ?? '', conversation_id: conversationId }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setQuery(draft.trim());
  };
  const hits = results.data?.results.map((r) => r.message) ?? [];
  // Only a missing route means no search here; a 404 of the search itself is an ordinary error.
  const unavailable = results.error instanceof ApiError && results.error.code === 'route_not_found';
  return (
    <section className="message-search" aria-label={t('chat.searchResults')}>
      <form role="search" onSubmit={submit}>
        <label htmlFor={inputId} className="visually-hidden">{t('chat.search')}</label>
        <input id={inputId} type="search" placeholder={t('chat.search')} value={draft} onChange={(e) => setDraft(e.target.value)} />
        <button type="submit">{t('chat.searchButton')}</button>
        {query !== null && <button type="button" onClick={() => { setQuery(null); setDraft(''); }}>{t('chat.searchClose')}</button>}
      </form>
      {query !== null && query !== '' && (
        <div className="search-results">
          {results.isPending ? (
            <p>{t('common.loading')}</p>
          ) : unavailable ? (
            <p role="status">{t('chat.searchUnavailable')}</p>
          ) : results.error ? (
            <p role="status">{t('common.error', { message: results.error.message })}</p>
          ) : hits.length === 0 ? (
            <p role="status">{t('chat.searchNone')}</p>
          ) : (
            <ol>
              {hits.map((m) => (
                <li key={m.id}>
                  <time dateTime={m.created_at}>{new Date(m.created_at).toLocaleString()}</time> {m.content}
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </section>
  );
}
