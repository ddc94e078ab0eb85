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
    // A record of a run still going is out of date as soon as it arrives: fetch it again when shown.
    staleTime: (query) => (query.state.data && query.state.data.result ? 15_000 : 0),
  });
}
