import type { UserJson } from '@switchboard/protocol';
import { useQueries } from '@tanstack/react-query';
import { useApi } from '../api/api-provider.js';

/** Display names by user id, fetched once per id and cached for the session. */
export function useUserNames(ids: readonly string[]): ReadonlyMap<string, string> {
  const api = useApi();
  const unique = [...new Set(ids)];
  const results = useQueries({
    queries: unique.map((id) => ({
      queryKey: ['user', id],
      queryFn: () => api.get<{ user: UserJson }>(`/v1/users/${encodeURIComponent(id)}`),
      staleTime: 10 * 60_000,
      retry: false,
    })),
  });
  const names = new Map<string, string>();
  unique.forEach((id, i) => names.set(id, results[i]?.data?.user.display_name ?? id));
  return names;
}
