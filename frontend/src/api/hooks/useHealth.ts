import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import type { Health } from '../types';

export const healthQueryKey = ['health'] as const;

/** GET /api/health: 200 when ok, 503 (same body) when degraded: both are data, not errors. */
export function fetchHealth(signal?: AbortSignal): Promise<Health> {
  return apiGet<Health>('/api/health', { signal, allowStatus: [503], skipUnauthorizedHandler: true });
}

export function useHealth(options: { refetchInterval?: number | false } = {}) {
  return useQuery({
    queryKey: healthQueryKey,
    queryFn: ({ signal }) => fetchHealth(signal),
    refetchInterval: options.refetchInterval ?? 30_000,
    staleTime: 10_000,
  });
}
