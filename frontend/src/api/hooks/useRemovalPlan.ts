import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import type { RemovalPlan } from '../types';
import { moduleQueryKey } from './useModule';

/** GET /api/modules/{id}/removal-plan → `{allowed, reason?, outputs: [{dataset, name, removable, used_by}]}`. */
export function fetchRemovalPlan(id: number, signal?: AbortSignal): Promise<RemovalPlan> {
  return apiGet<RemovalPlan>(`/api/modules/${id}/removal-plan`, { signal });
}

export function useRemovalPlan(id: number) {
  return useQuery({
    queryKey: [...moduleQueryKey(id), 'removal-plan'] as const,
    queryFn: ({ signal }) => fetchRemovalPlan(id, signal),
    staleTime: 0,
  });
}
