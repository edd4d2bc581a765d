import type { ConversationJson } from '@switchboard/protocol';
import { Link } from 'react-router';
import { useT } from '../i18n/i18n-provider.js';
import { conversationTitle } from './conversation-title.js';

interface ConversationListProps {
  readonly conversations: readonly ConversationJson[];
  readonly selectedId: string | undefined;
  readonly othersOf: (conversationId: string) => readonly string[];
  readonly online: ReadonlySet<string>;
}

/** The user's conversations, newest activity first, each with its unread count and last message. */
export function ConversationList({ conversations, selectedId, othersOf, online }: ConversationListProps) {
  const t = useT();
  if (conversations.length === 0) return <p className="empty">{t('chat.noConversations')}</p>;
  return (
    <ul className="conversation-list">
      {conversations.map((c) => {
        const title = conversationTitle(c, t('chat.untitled'));
        const others = othersOf(c.id);
        const someoneOnline = others.some((id) => online.has(id));
        const unread = c.unread_count ?? 0;
        const last = c.last_message;
        return (
          <li key={c.id}>
            <Link to={`/c/${encodeURIComponent(c.id)}`} aria-current={c.id === selectedId ? 'page' : undefined} className="conversation-link">
              <span className="conversation-line">
                <span className={`presence-dot${someoneOnline ? ' online' : ''}`} aria-hidden="true" />
                <span className="conversation-name">{title}</span>
                <span className="visually-hidden">, {someoneOnline ? t('chat.online') : t('chat.offline')}</span>
                {unread > 0 && <span className="badge">{t('chat.unread', { count: unread })}</span>}
              </span>
              {last && <span className="conversation-last">{last.hidden || last.deleted_at ? '…' : last.content.slice(0, 80)}</span>}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
