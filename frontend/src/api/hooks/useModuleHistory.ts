import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import type { RunSummary } from '../types';
import { moduleQueryKey } from './useModule';

export function moduleHistoryKey(id: number) {
  return [...moduleQueryKey(id), 'history'] as const;
}

/** GET /api/modules/{id}/history → the module's runs, newest first. */
export function fetchModuleHistory(id: number, signal?: AbortSignal): Promise<RunSummary[]> {
  return apiGet<RunSummary[]>(`/api/modules/${id}/history`, { signal });
}

export function useModuleHistory(id: number | null) {
  return useQuery({
    queryKey: moduleHistoryKey(id ?? -1),
    queryFn: ({ signal }) => fetchModuleHistory(id!, signal),
    enabled: id != null && Number.isFinite(id),
  });
}
