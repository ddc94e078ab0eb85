import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import type { ModuleType } from '../types';

export function moduleTypeQueryKey(id: number) {
  return ['module-type', id] as const;
}

/** GET /api/module-types/{id}: one module type with its version summaries. */
export function fetchModuleType(id: number, signal?: AbortSignal): Promise<ModuleType> {
  return apiGet<ModuleType>(`/api/module-types/${id}`, { signal });
}

export function useModuleType(id: number | null | undefined) {
  return useQuery({
    queryKey: moduleTypeQueryKey(id ?? 0),
    queryFn: ({ signal }) => fetchModuleType(id as number, signal),
    enabled: id != null && id > 0,
  });
}
