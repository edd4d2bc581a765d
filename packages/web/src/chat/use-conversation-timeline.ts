import type { MessageJson } from '@switchboard/protocol';
import type { Conversation, PendingSend } from '@switchboard/sdk';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useLiveClient } from '../live/live-client-provider.js';

/** How long a typing indicator lives without a refresh; the SDK's senders repeat every 3 s. */
const TYPING_TTL_MS = 6000;
const OLDER_PAGE = 100;

export interface Timeline {
  readonly conversation: Conversation | null;
  /** Oldest first, one entry per seq. */
  readonly messages: readonly MessageJson[];
  readonly pending: readonly PendingSend[];
  readonly typing: readonly string[];
  /** Furthest seq each other participant has read / received. */
  readonly readBy: ReadonlyMap<string, number>;
  readonly deliveredTo: ReadonlyMap<string, number>;
  readonly hasOlder: boolean;
  readonly loadingOlder: boolean;
  /** How many messages were put before the first one delivered, for the list's stable indexes. */
  readonly prepended: number;
  loadOlder(): Promise<void>;
}

/** Inserts or replaces by seq, keeping seq order; live messages nearly always go at the end. */
function merge(list: readonly MessageJson[], incoming: readonly MessageJson[]): MessageJson[] {
  const bySeq = new Map(list.map((m) => [m.seq, m]));
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * Follows one conversation through the SDK and keeps what the view shows: messages, sends not
 * yet acknowledged, who is typing, and everyone's read and delivered pointers.
 */
export function useConversationTimeline(conversationId: string, initialPointers?: readonly { user_id: string; last_read_seq: number; last_delivered_seq: number }[]): Timeline {
  const client = useLiveClient();
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<MessageJson[]>([]);
  const [pending, setPending] = useState<readonly PendingSend[]>([]);
  const [typing, setTyping] = useState<readonly string[]>([]);
  const [readBy, setReadBy] = useState<ReadonlyMap<string, number>>(new Map());
  const [deliveredTo, setDeliveredTo] = useState<ReadonlyMap<string, number>>(new Map());
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [prepended, setPrepended] = useState(0);
  const typingTimers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  useEffect(() => {
    if (!initialPointers) return;
    const raise = (map: ReadonlyMap<string, number>, key: 'last_read_seq' | 'last_delivered_seq') => {
      const next = new Map(map);
      for (const p of initialPointers) next.set(p.user_id, Math.max(next.get(p.user_id) ?? 0, p[key]));
      return next;
    };
    setReadBy((m) => raise(m, 'last_read_seq'));
    setDeliveredTo((m) => raise(m, 'last_delivered_seq'));
  }, [initialPointers]);

  useEffect(() => {
    setMessages([]);
    setPrepended(0);
    setTyping([]);
    const conv = client.conversation(conversationId);
    setConversation(conv);
    setPending(conv.pending());
    const timers = typingTimers.current;
    const stopTyping = (userId: string) => {
      clearTimeout(timers.get(userId));
      timers.delete(userId);
      setTyping((list) => list.filter((u) => u !== userId));
    };
    const offs = [
      conv.on('message', (m) => {
        setMessages((list) => (list.length > 0 && list[list.length - 1]!.seq < m.seq ? [...list, m] : merge(list, [m])));
        if (m.sender_id) stopTyping(m.sender_id);
      }),
      conv.on('update', ({ message }) => setMessages((list) => merge(list, [message]))),
      conv.on('reaction', ({ messageId, reactions }) =>
        setMessages((list) => list.map((m) => (m.id === messageId ? { ...m, reactions: reactions.map((r) => ({ ...r, user_ids: [...r.user_ids] })) } : m))),
      ),
      conv.on('pending', (list) => setPending(list)),
      conv.on('typing', ({ userId, isTyping }) => {
        if (userId === client.userId) return;
        if (!isTyping) return stopTyping(userId);
        clearTimeout(timers.get(userId));
        timers.set(userId, setTimeout(() => stopTyping(userId), TYPING_TTL_MS));
        setTyping((list) => (list.includes(userId) ? list : [...list, userId]));
      }),
      conv.on('read', ({ userId, seq }) => setReadBy((map) => (seq > (map.get(userId) ?? 0) ? new Map(map).set(userId, seq) : map))),
      conv.on('delivered', ({ userId, seq }) => setDeliveredTo((map) => (seq > (map.get(userId) ?? 0) ? new Map(map).set(userId, seq) : map))),
    ];
    return () => {
      for (const off of offs) off();
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      conv.leave();
    };
  }, [client, conversationId]);

  const oldestSeq = messages[0]?.seq;
  const hasOlder = oldestSeq !== undefined && oldestSeq > 1;

  const loadOlder = useCallback(async () => {
    if (!conversation || oldestSeq === undefined || oldestSeq <= 1 || loadingOlder) return;
    setLoadingOlder(true);
    try {
      const older = await conversation.history({ beforeSeq: oldestSeq, limit: OLDER_PAGE });
      setMessages((list) => merge(older, list));
      setPrepended((n) => n + older.length);
    } finally {
      setLoadingOlder(false);
    }
  }, [conversation, oldestSeq, loadingOlder]);

  return { conversation, messages, pending, typing, readBy, deliveredTo, hasOlder, loadingOlder, prepended, loadOlder };
}
