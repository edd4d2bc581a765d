import type { MessageJson, ParticipantJson } from '@switchboard/protocol';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useState, type DragEvent, type ReactNode } from 'react';
import { useApi } from '../api/api-provider.js';
import { useT } from '../i18n/i18n-provider.js';
import { useLiveClient } from '../live/live-client-provider.js';
import { Composer } from './composer.js';
import { MessageLog } from './message-log.js';
import type { MessageActions } from './message-item.js';
import { MessageSearch } from './message-search.js';
import { TypingIndicator } from './typing-indicator.js';
import { useConversationTimeline } from './use-conversation-timeline.js';
import { useUploads } from './use-uploads.js';
import { useUserNames } from './use-user-names.js';

interface ConversationViewProps {
  readonly conversationId: string;
  readonly title: string;
  /** Shown under the title: a case's actions, a presence line. */
  readonly toolbar?: ReactNode;
  readonly insert?: { text: string; nonce: number } | undefined;
  readonly searchable?: boolean;
}

/** One conversation: its messages (live, through the SDK), who is typing, and the composer. */
export function ConversationView({ conversationId, title, toolbar, insert, searchable = true }: ConversationViewProps) {
  const t = useT();
  const api = useApi();
  const client = useLiveClient();
  const queryClient = useQueryClient();
  const titleId = useId();
  const participants = useQuery({
    queryKey: ['participants', conversationId],
    queryFn: () => api.get<{ participants: ParticipantJson[] }>(`/v1/conversations/${encodeURIComponent(conversationId)}/participants`),
    retry: false,
  });
  const timeline = useConversationTimeline(conversationId, participants.data?.participants);
  const uploads = useUploads();
  const [replyTo, setReplyTo] = useState<MessageJson | null>(null);
  const [editing, setEditing] = useState<MessageJson | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const conv = timeline.conversation;

  const senderIds = useMemo(() => [...new Set(timeline.messages.map((m) => m.sender_id).filter((id): id is string => id !== null)), ...timeline.typing], [timeline.messages, timeline.typing]);
  const names = useUserNames(senderIds);
  const fail = (error: unknown) => setNotice(t('chat.error', { message: error instanceof Error ? error.message : String(error) }));

  const actions = useMemo<MessageActions>(
    () => ({
      reply: (m) => { setEditing(null); setReplyTo(m); },
      edit: (m) => { setReplyTo(null); setEditing(m); },
      remove: (m) => void conv?.delete(m.id).catch(fail),
      react: (m, emoji, on) => void conv?.react(m.id, emoji, on).catch(fail),
      report: (m) => void conv?.report(m.id, t('chat.reportReason')).then(() => setNotice(t('chat.reported')), fail),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [conv, t],
  );

  const send = (content: string, attachments: readonly string[]) => {
    if (!conv) return;
    const replyId = replyTo?.id;
    setReplyTo(null);
    setNotice(null);
    conv.send({ content, ...(replyId !== undefined && { replyTo: replyId }), ...(attachments.length > 0 && { attachments }) }).then(
      () => void queryClient.invalidateQueries({ queryKey: ['conversations'] }),
      () => {
        // A refusal shows on the pending entry itself, with Retry.
      },
    );
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (event.dataTransfer.files.length > 0) uploads.add([...event.dataTransfer.files]);
  };

  return (
    <section
      className={`conversation-view${dragging ? ' dragging' : ''}`}
      aria-labelledby={titleId}
      onDragOver={(e) => { if (e.dataTransfer.types.includes('Files')) { e.preventDefault(); setDragging(true); } }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <header className="conversation-header">
        <h2 id={titleId}>{title}</h2>
        {toolbar}
        {searchable && <MessageSearch conversationId={conversationId} />}
      </header>
      {dragging && <p className="drop-hint">{t('chat.attachHint')}</p>}
      <MessageLog
        labelledBy={titleId}
        conversation={conv}
        messages={timeline.messages}
        pending={timeline.pending}
        myId={client.userId}
        names={names}
        readBy={timeline.readBy}
        deliveredTo={timeline.deliveredTo}
        hasOlder={timeline.hasOlder}
        loadingOlder={timeline.loadingOlder}
        prepended={timeline.prepended}
        onLoadOlder={() => void timeline.loadOlder().catch(fail)}
        actions={actions}
      />
      <TypingIndicator names={timeline.typing.map((id) => names.get(id) ?? id)} />
      {notice && <p className="notice" role="status">{notice}</p>}
      <Composer
        uploads={uploads}
        replyTo={replyTo}
        replyName={replyTo?.sender_id ? (names.get(replyTo.sender_id) ?? replyTo.sender_id) : ''}
        editing={editing}
        insert={insert}
        onCancelReply={() => setReplyTo(null)}
        onCancelEdit={() => setEditing(null)}
        onTyping={() => conv?.typing()}
        onSend={send}
        onSaveEdit={(m, content) => { setEditing(null); void conv?.edit(m.id, content).catch(fail); }}
      />
    </section>
  );
}
