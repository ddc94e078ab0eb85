import { useQuery } from '@tanstack/react-query';
import { apiGet, isApiError } from '../client';
import type { Me } from '../types';

export const meQueryKey = ['me'] as const;

/** The signed-in user, or null when the session is anonymous (401). */
export async function fetchMe(signal?: AbortSignal): Promise<Me | null> {
  try {
    return await apiGet<Me>('/api/me', { signal, skipUnauthorizedHandler: true });
  } catch (error) {
    if (isApiError(error) && error.status === 401) return null;
    throw error;
  }
}

/**
 * `data` is the user, `null` when not signed in, `undefined` while the first probe runs.
 * Login/logout and the global 401 handler write this query directly.
 */
export function useMe() {
  return useQuery({
    queryKey: meQueryKey,
    queryFn: ({ signal }) => fetchMe(signal),
    staleTime: 5 * 60_000,
    retry: (failureCount, error) => !(isApiError(error) && error.status < 500 && error.status > 0) && failureCount < 2,
  });
}
