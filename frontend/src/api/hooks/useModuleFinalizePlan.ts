import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import type { ModuleFinalizePlan } from '../types';
import { moduleQueryKey } from './useModule';

export function moduleFinalizePlanKey(id: number) {
  return [...moduleQueryKey(id), 'finalize-plan'] as const;
}

/** GET /api/modules/{id}/finalize-plan: the type versions and dataset versions finalized with the module, and what refuses it. */
export function fetchModuleFinalizePlan(id: number, signal?: AbortSignal): Promise<ModuleFinalizePlan> {
  return apiGet<ModuleFinalizePlan>(`/api/modules/${id}/finalize-plan`, { signal });
}

export function useModuleFinalizePlan(id: number) {
  return useQuery({
    queryKey: moduleFinalizePlanKey(id),
    queryFn: ({ signal }) => fetchModuleFinalizePlan(id, signal),
    staleTime: 0,
    gcTime: 0,
  });
}
