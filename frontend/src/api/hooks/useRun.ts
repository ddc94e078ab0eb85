import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import type { Run } from '../types';

export function runQueryKey(id: number) {
  return ['run', id] as const;
}

/** GET /api/runs/{id}: the history record (scripts, log, datasets, parameters, error). */
export function fetchRun(id: number, signal?: AbortSignal): Promise<Run> {
  return apiGet<Run>(`/api/runs/${id}`, { signal });
}

export function useRun(id: number) {
  return useQuery({
    queryKey: runQueryKey(id),
    queryFn: ({ signal }) => fetchRun(id, signal),
    enabled: Number.isFinite(id),
  });
}
