import { useParams } from 'react-router';
import { useT } from '../i18n/i18n-provider.js';
import { ConversationList } from './conversation-list.js';
import { conversationTitle } from './conversation-title.js';
import { ConversationView } from './conversation-view.js';
import { useConversations } from './use-conversations.js';
import { usePresence } from './use-presence.js';

/** `/` and `/c/:id`: the conversation list beside the open conversation. */
export function ChatPage({ myId }: { myId: string }) {
  const t = useT();
  const { conversationId } = useParams();
  const conversations = useConversations();
  const list = conversations.data ?? [];
  const participantsOf = (id: string) => (conversations.participants.get(id) ?? []).map((p) => p.id).filter((p) => p !== myId);
  const online = usePresence(list.flatMap((c) => participantsOf(c.id)));
  const selected = list.find((c) => c.id === conversationId);
  return (
    <div className="chat-page">
      <nav className="sidebar" aria-label={t('chat.conversations')}>
        <h1>{t('chat.conversations')}</h1>
        {conversations.isPending ? <p>{t('common.loading')}</p> : conversations.error ? <p role="alert">{t('common.error', { message: conversations.error.message })}</p> : <ConversationList conversations={list} selectedId={conversationId} othersOf={participantsOf} online={online} />}
      </nav>
      <main id="main" className="main-pane">
        {conversationId ? (
          <ConversationView key={conversationId} conversationId={conversationId} title={selected ? conversationTitle(selected, t('chat.untitled')) : t('chat.untitled')} />
        ) : (
          <p className="placeholder">{t('chat.pickOne')}</p>
        )}
      </main>
    </div>
  );
}
