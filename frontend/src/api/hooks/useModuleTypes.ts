import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import type { ModuleType, ModuleTypeListParams } from '../types';

/** Prefix of every module type list query (invalidate this after writes). */
export const moduleTypesQueryKey = ['module-types'] as const;

/** GET /api/module-types?search=&kind=&final= : the module types the user can see. */
export function fetchModuleTypes(params: ModuleTypeListParams, signal?: AbortSignal): Promise<ModuleType[]> {
  return apiGet<ModuleType[]>('/api/module-types', {
    signal,
    query: {
      search: params.search || undefined,
      kind: params.kind || undefined,
      final: params.final == null ? undefined : String(params.final),
    },
  });
}

export function useModuleTypes(params: ModuleTypeListParams = {}) {
  return useQuery({
    queryKey: [...moduleTypesQueryKey, { search: params.search ?? '', kind: params.kind ?? null, final: params.final ?? null }] as const,
    queryFn: ({ signal }) => fetchModuleTypes(params, signal),
    placeholderData: (previous) => previous,
  });
}
