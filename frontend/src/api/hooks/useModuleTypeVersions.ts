import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import type { ModuleTypeVersionListItem, ModuleTypeVersionListParams } from '../types';

/** Prefix of the version list (palette) queries. */
export const moduleTypeVersionsQueryKey = ['module-type-versions'] as const;

/** GET /api/module-type-versions?kind=&final= : every version the user can see, with its slots. */
export function fetchModuleTypeVersions(
  params: ModuleTypeVersionListParams,
  signal?: AbortSignal,
): Promise<ModuleTypeVersionListItem[]> {
  return apiGet<ModuleTypeVersionListItem[]>('/api/module-type-versions', {
    signal,
    query: { kind: params.kind || undefined, final: params.final == null ? undefined : String(params.final) },
  });
}

export function useModuleTypeVersions(params: ModuleTypeVersionListParams = {}, enabled = true) {
  return useQuery({
    queryKey: [...moduleTypeVersionsQueryKey, { kind: params.kind ?? null, final: params.final ?? null }] as const,
    queryFn: ({ signal }) => fetchModuleTypeVersions(params, signal),
    enabled,
  });
}
