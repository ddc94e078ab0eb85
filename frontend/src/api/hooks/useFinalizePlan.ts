import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import type { FinalizePlan } from '../types';
import { moduleTypeVersionQueryKey } from './useModuleTypeVersion';

/** GET /api/module-type-versions/{id}/finalize-plan: this version, then every non-final submodule version. */
export function fetchFinalizePlan(id: number, signal?: AbortSignal): Promise<FinalizePlan> {
  return apiGet<FinalizePlan>(`/api/module-type-versions/${id}/finalize-plan`, { signal });
}

export function useFinalizePlan(id: number, enabled = true) {
  return useQuery({
    queryKey: [...moduleTypeVersionQueryKey(id), 'finalize-plan'] as const,
    queryFn: ({ signal }) => fetchFinalizePlan(id, signal),
    enabled,
    staleTime: 0,
    gcTime: 0,
  });
}
