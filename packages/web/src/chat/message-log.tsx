import type { MessageJson } from '@switchboard/protocol';
import type { Conversation, PendingSend } from '@switchboard/sdk';
import { useMemo } from 'react';
import { Virtuoso } from 'react-virtuoso';
import { useT } from '../i18n/i18n-provider.js';
import { MessageItem, type DeliveryMark, type MessageActions } from './message-item.js';
import { PendingItem } from './pending-item.js';
import { useReadWhenSeen } from './use-read-when-seen.js';

/** Far above any history, so prepending older pages keeps every index positive (react-virtuoso). */
const FIRST_INDEX = 1_000_000;

type Row = { kind: 'message'; message: MessageJson } | { kind: 'pending'; send: PendingSend };

interface MessageLogProps {
  readonly labelledBy: string;
  readonly conversation: Conversation | null;
  readonly messages: readonly MessageJson[];
  readonly pending: readonly PendingSend[];
  readonly myId: string | undefined;
  readonly names: ReadonlyMap<string, string>;
  readonly readBy: ReadonlyMap<string, number>;
  readonly deliveredTo: ReadonlyMap<string, number>;
  readonly hasOlder: boolean;
  readonly loadingOlder: boolean;
  readonly prepended: number;
  readonly onLoadOlder: () => void;
  readonly actions: MessageActions;
}

/** Furthest pointer of anyone but me: one other participant is enough for "seen". */
function furthest(pointers: ReadonlyMap<string, number>, me: string | undefined): number {
  let max = 0;
  for (const [user, seq] of pointers) if (user !== me && seq > max) max = seq;
  return max;
}

/**
 * The conversation's messages as one `role="log"` region (polite, announced once each), virtualized
 * so a long history stays smooth. No second live region: that would announce everything twice.
 */
export function MessageLog(props: MessageLogProps) {
  const t = useT();
  const { messages, pending, myId, names, readBy, deliveredTo, conversation, actions } = props;
  const observe = useReadWhenSeen(conversation);
  const seenUpTo = furthest(readBy, myId);
  const deliveredUpTo = Math.max(seenUpTo, furthest(deliveredTo, myId));
  const rows = useMemo<Row[]>(() => [...messages.map((message) => ({ kind: 'message' as const, message })), ...pending.map((send) => ({ kind: 'pending' as const, send }))], [messages, pending]);
  const byId = useMemo(() => new Map(messages.map((m) => [m.id, m])), [messages]);

  const markOf = (m: MessageJson): DeliveryMark => (m.seq <= seenUpTo ? 'seen' : m.seq <= deliveredUpTo ? 'delivered' : 'sent');
  // Only the newest of my messages carries a mark, as in most messengers: the rest are implied.
  const lastMine = [...messages].reverse().find((m) => m.sender_id === myId)?.seq;

  return (
    <div className="message-log-frame">
      {props.hasOlder ? (
        <button type="button" className="load-older" onClick={props.onLoadOlder} disabled={props.loadingOlder}>
          {props.loadingOlder ? t('chat.loadingOlder') : t('chat.loadOlder')}
        </button>
      ) : (
        messages.length > 0 && <p className="log-beginning">{t('chat.beginning')}</p>
      )}
      <div role="log" aria-labelledby={props.labelledBy} aria-busy={props.loadingOlder} className="message-log">
        {rows.length === 0 ? (
          <p className="log-empty">{t('chat.noMessagesYet')}</p>
        ) : (
          <Virtuoso
            className="message-scroller"
            data={rows}
            firstItemIndex={FIRST_INDEX - props.prepended}
            initialTopMostItemIndex={{ index: 'LAST' }}
            followOutput={(atBottom) => (atBottom ? 'smooth' : false)}
            computeItemKey={(_, row) => (row.kind === 'message' ? row.message.id : row.send.clientId)}
            increaseViewportBy={{ top: 400, bottom: 200 }}
            // Scrolling to the top fetches the next older page, so a long history reads on without
            // stopping; the button above does the same for keyboards and screen readers.
            startReached={() => props.hasOlder && !props.loadingOlder && props.onLoadOlder()}
            itemContent={(_, row) => {
              if (row.kind === 'pending') {
                return <PendingItem send={row.send} onRetry={() => void conversation?.retry(row.send.clientId).catch(() => {})} onDiscard={() => void conversation?.cancel(row.send.clientId)} />;
              }
              const m = row.message;
              const mine = m.sender_id === myId;
              const reply = m.reply_to ? byId.get(m.reply_to) : undefined;
              return (
                <MessageItem
                  message={m}
                  mine={mine}
                  myId={myId}
                  senderName={m.sender_id ? (names.get(m.sender_id) ?? m.sender_id) : ''}
                  mark={mine && m.seq === lastMine ? markOf(m) : null}
                  replyPreview={m.reply_to ? (reply?.content ?? '…') : null}
                  actions={actions}
                  observe={mine ? undefined : (element) => observe(element, m.seq)}
                />
              );
            }}
          />
        )}
      </div>
    </div>
  );
}
