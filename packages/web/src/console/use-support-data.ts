import type { ConversationJson } from '@switchboard/protocol';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useApi } from '../api/api-provider.js';
import type { CaseStatus, QueueStats, SupportCase } from '../api/wire-types.js';
import { useLiveClient } from '../live/live-client-provider.js';

export type CaseView = 'mine' | 'unassigned' | 'all';
export const SUPPORT_KEY = ['support'] as const;
/** Queues change with other agents' work too; events cover most of it, this the rest. */
const REFRESH_MS = 15_000;

export function useQueues() {
  const api = useApi();
  return useQuery({ queryKey: [...SUPPORT_KEY, 'queues'], queryFn: () => api.get<{ queues: QueueStats[] }>('/v1/support/queues').then((r) => r.queues), refetchInterval: REFRESH_MS });
}

export function useCases(view: CaseView, status: CaseStatus | 'any') {
  const api = useApi();
  return useQuery({
    queryKey: [...SUPPORT_KEY, 'cases', view, status],
    queryFn: async () => {
      const { cases } = await api.get<{ cases: SupportCase[] }>('/v1/support/cases', { ...(status !== 'any' && { status }), ...(view === 'mine' && { mine: true }), limit: 100 });
      return view === 'unassigned' ? cases.filter((c) => c.assigned_agent_id === null) : cases;
    },
    refetchInterval: REFRESH_MS,
  });
}

export function useCase(id: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: [...SUPPORT_KEY, 'case', id],
    enabled: id !== undefined,
    queryFn: () => api.get<{ case: SupportCase }>(`/v1/support/cases/${encodeURIComponent(id!)}`).then((r) => r.case),
  });
}

export function useConversation(id: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['conversation', id],
    enabled: id !== undefined,
    queryFn: () => api.get<{ conversation: ConversationJson }>(`/v1/conversations/${encodeURIComponent(id!)}`).then((r) => r.conversation),
  });
}

/**
 * Watches the queues this agent staffs (new cases, other agents' moves) and refreshes the
 * console's lists on each support event.
 */
export function useSupportEvents(queues: readonly string[]) {
  const client = useLiveClient();
  const queryClient = useQueryClient();
  const key = queues.join(',');
  useEffect(() => {
    const watch = () => {
      if (client.state !== 'connected') return;
      for (const queue of key.split(',').filter(Boolean)) void client.request('join_support_room', { room_type: queue }).catch(() => {});
    };
    watch();
    const offs = [
      client.on('state', ({ state }) => state === 'connected' && watch()),
      client.on('frame', (frame) => {
        if (frame.type === 'support_case_updated' || frame.type === 'new_support_conversation') void queryClient.invalidateQueries({ queryKey: SUPPORT_KEY });
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [client, queryClient, key]);
}
