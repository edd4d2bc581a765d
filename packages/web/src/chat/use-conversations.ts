import type { ConversationJson } from '@switchboard/protocol';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useApi } from '../api/api-provider.js';
import { useLiveClient } from '../live/live-client-provider.js';

export const CONVERSATIONS_KEY = ['conversations'] as const;

/**
 * The user's conversations with unread counts and last messages, from REST; refreshed whenever
 * the live link says something changed (a message elsewhere, membership, a reconnect).
 */
export function useConversations() {
  const api = useApi();
  const client = useLiveClient();
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: CONVERSATIONS_KEY,
    queryFn: () => api.get<{ conversations: ConversationJson[] }>('/v1/conversations', { limit: 100 }).then((r) => r.conversations),
  });
  // The REST list carries no participants; the live listing does, with names, for presence.
  const live = useQuery({
    queryKey: [...CONVERSATIONS_KEY, 'live'],
    queryFn: () => client.conversations(),
    retry: 2,
  });
  useEffect(() => {
    const refresh = () => void queryClient.invalidateQueries({ queryKey: CONVERSATIONS_KEY });
    const offs = [
      client.on('notification', refresh),
      client.on('conversation_added', refresh),
      client.on('conversation_removed', refresh),
      client.on('state', ({ state }) => state === 'connected' && refresh()),
      client.on('frame', (frame) => (frame.type === 'message_read' || frame.type === 'conversation_updated') && refresh()),
    ];
    return () => offs.forEach((off) => off());
  }, [client, queryClient]);
  const participants = new Map((live.data ?? []).map((c) => [c.id, c.participants] as const));
  return { ...query, participants };
}
