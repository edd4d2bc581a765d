import type { PendingSend } from '@switchboard/sdk';
import { useT } from '../i18n/i18n-provider.js';

/** A send the server has not committed yet: waiting for the link, or refused with a retry. */
export function PendingItem({ send, onRetry, onDiscard }: { send: PendingSend; onRetry(): void; onDiscard(): void }) {
  const t = useT();
  const failed = send.status === 'failed';
  return (
    <article className={`message mine pending${failed ? ' failed' : ''}`} aria-label={t('chat.you')}>
      <header className="message-meta">
        <span className="message-sender">{t('chat.you')}</span>
      </header>
      <p className="message-content">{send.draft.content}</p>
      <p className="message-mark">{failed ? t('chat.failed', { reason: send.error?.message ?? '' }) : t('chat.pending')}</p>
      {failed && (
        <div className="message-actions visible">
          <button type="button" onClick={onRetry}>{t('chat.retry')}</button>
          <button type="button" onClick={onDiscard}>{t('chat.discard')}</button>
        </div>
      )}
    </article>
  );
}
