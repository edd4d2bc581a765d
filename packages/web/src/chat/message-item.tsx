import type { MessageJson } from '@switchboard/protocol';
import { memo } from 'react';
import { useT } from '../i18n/i18n-provider.js';
import { AttachmentLink } from './attachment-link.js';

export type DeliveryMark = 'sent' | 'delivered' | 'seen';
export const QUICK_REACTIONS = ['👍', '❤️', '😂'] as const;

export interface MessageActions {
  reply(message: MessageJson): void;
  edit(message: MessageJson): void;
  remove(message: MessageJson): void;
  react(message: MessageJson, emoji: string, on: boolean): void;
  report(message: MessageJson): void;
}

interface MessageItemProps {
  readonly message: MessageJson;
  readonly mine: boolean;
  readonly myId: string | undefined;
  readonly senderName: string;
  readonly mark: DeliveryMark | null;
  readonly replyPreview: string | null;
  readonly actions: MessageActions;
  readonly observe?: ((element: Element | null) => (() => void) | undefined) | undefined;
}

/** One message: who and when, the text or its tombstone, attachments, reactions and actions. */
export const MessageItem = memo(function MessageItem({ message, mine, myId, senderName, mark, replyPreview, actions, observe }: MessageItemProps) {
  const t = useT();
  const gone = message.deleted_at !== null || message.hidden;
  const time = new Date(message.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return (
    <article className={`message${mine ? ' mine' : ''}`} ref={observe} aria-label={`${mine ? t('chat.you') : senderName}, ${time}`} data-seq={message.seq}>
      <header className="message-meta">
        <span className="message-sender">{mine ? t('chat.you') : senderName}</span>
        <time dateTime={message.created_at}>{time}</time>
        {message.edited_at && !gone && <span className="message-edited">{t('chat.edited')}</span>}
      </header>
      {replyPreview !== null && <blockquote className="message-reply">{replyPreview}</blockquote>}
      {gone ? (
        <p className="message-tombstone">{message.hidden ? t('chat.hidden') : t('chat.deleted')}</p>
      ) : (
        <p className="message-content">{message.content}</p>
      )}
      {!gone && message.attachments.length > 0 && (
        <ul className="message-attachments">
          {message.attachments.map((a) => (
            <li key={a.id}>
              <AttachmentLink attachment={a} />
            </li>
          ))}
        </ul>
      )}
      {!gone && (message.reactions ?? []).length > 0 && (
        <ul className="message-reactions">
          {(message.reactions ?? []).map((r) => {
            const on = myId !== undefined && r.user_ids.includes(myId);
            return (
              <li key={r.emoji}>
                <button type="button" aria-pressed={on} onClick={() => actions.react(message, r.emoji, !on)}>
                  {t('chat.reactions', { emoji: r.emoji, count: r.count })}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {mine && mark && <p className={`message-mark mark-${mark}`}>{t(mark === 'seen' ? 'chat.seen' : mark === 'delivered' ? 'chat.delivered' : 'chat.sent')}</p>}
      {!gone && (
        <div className="message-actions" role="group" aria-label={t('chat.actionsFor', { name: mine ? t('chat.you') : senderName })}>
          <button type="button" onClick={() => actions.reply(message)}>{t('chat.reply')}</button>
          {QUICK_REACTIONS.map((emoji) => (
            <button type="button" key={emoji} aria-label={t('chat.react', { emoji })} onClick={() => actions.react(message, emoji, true)}>
              {emoji}
            </button>
          ))}
          {mine ? (
            <>
              <button type="button" onClick={() => actions.edit(message)}>{t('chat.edit')}</button>
              <button type="button" onClick={() => actions.remove(message)}>{t('chat.delete')}</button>
            </>
          ) : (
            <button type="button" onClick={() => actions.report(message)}>{t('chat.report')}</button>
          )}
        </div>
      )}
    </article>
  );
});
