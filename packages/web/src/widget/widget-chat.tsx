import type { ConversationJson } from '@switchboard/protocol';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { ApiError } from '../api/api-client.js';
import { useApi } from '../api/api-provider.js';
import { ConversationView } from '../chat/conversation-view.js';
import { conversationTitle } from '../chat/conversation-title.js';
import { useT } from '../i18n/i18n-provider.js';
import { useLiveClient } from '../live/live-client-provider.js';
import { OfflineBanner } from '../live/offline-banner.js';

/**
 * The floating button with its unread badge, and the chat panel it opens: the conversation of
 * the host object (`context`), found by `GET /v1/conversations/by-context/:type/:id`.
 */
export function WidgetChat({ context, title }: { context: { type: string; id: string }; title: string | null }) {
  const t = useT();
  const api = useApi();
  const client = useLiveClient();
  const panelId = useId();
  const [open, setOpen] = useState(false);
  const [unread, setUnread] = useState(0);
  const conversation = useQuery({
    queryKey: ['by-context', context.type, context.id],
    retry: false,
    queryFn: () => api.get<{ conversation: ConversationJson }>(`/v1/conversations/by-context/${encodeURIComponent(context.type)}/${encodeURIComponent(context.id)}`).then((r) => r.conversation),
  });
  const conversationId = conversation.data?.id;
  useEffect(() => setUnread(conversation.data?.unread_count ?? 0), [conversation.data]);
  useEffect(() => {
    if (open) setUnread(0);
  }, [open]);
  // While the panel is closed the conversation is not followed, so the SDK tells of each message.
  useEffect(() => client.on('notification', (n) => n.conversationId === conversationId && !open && setUnread((u) => u + 1)), [client, conversationId, open]);

  return (
    <div className="widget">
      {open && (
        <div id={panelId} className="widget-panel" role="dialog" aria-label={title ?? t('widget.title')}>
          <OfflineBanner />
          {conversation.data ? (
            <ConversationView conversationId={conversation.data.id} title={title ?? conversationTitle(conversation.data, t('widget.title'))} searchable={false} />
          ) : conversation.error ? (
            <p role="status">{conversation.error instanceof ApiError && conversation.error.status === 404 ? t('widget.notFound') : t('common.error', { message: conversation.error.message })}</p>
          ) : (
            <p>{t('common.loading')}</p>
          )}
        </div>
      )}
      <button type="button" className="widget-button" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen((o) => !o)}>
        <span>{open ? t('widget.close') : t('widget.open')}</span>
        {!open && unread > 0 && <span className="badge widget-badge" aria-label={t('widget.unread', { count: unread })}>{unread}</span>}
      </button>
    </div>
  );
}
