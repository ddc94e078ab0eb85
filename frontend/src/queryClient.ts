import { QueryClient } from '@tanstack/react-query';
import { isApiError, setUnauthorizedHandler } from './api/client';
import { meQueryKey } from './api/hooks/useMe';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: false,
        // Client errors (4xx) will not get better by retrying.
        retry: (failureCount, error) =>
          failureCount < 2 && !(isApiError(error) && error.status >= 400 && error.status < 500),
      },
      mutations: { retry: false },
    },
  });
}

/** Any 401 (except login and the session probe) means the session ended: forget the user → /login. */
export function installUnauthorizedHandler(queryClient: QueryClient): void {
  setUnauthorizedHandler(() => {
    queryClient.setQueryData(meQueryKey, null);
  });
}
