import type { QueryClient } from '@tanstack/react-query';
import type { Me } from './types';
import { meQueryKey } from './hooks/useMe';

/**
 * Replace the session in the cache and forget every other cached query (they may belong to another user).
 * The `me` query itself is kept (only its data changes) so mounted observers see the change.
 */
export function resetSession(queryClient: QueryClient, user: Me | null): void {
  const others = { predicate: (q: { queryKey: readonly unknown[] }) => q.queryKey[0] !== meQueryKey[0] };
  void queryClient.cancelQueries(others);
  queryClient.removeQueries(others);
  queryClient.setQueryData(meQueryKey, user);
}
