import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '../client';
import { versionFromApi } from '../graph';
import type { ApiModuleTypeVersion, ModuleTypeVersion } from '../types';

/** Prefix of every query about one module type version. */
export function moduleTypeVersionQueryKey(id: number) {
  return ['module-type-version', id] as const;
}

export interface ModuleTypeVersionWithEtag {
  version: ModuleTypeVersion;
  /** Send back as `If-Match` when saving. */
  etag: string | null;
}

/** GET /api/module-type-versions/{id}, keeping the ETag; its graph normalized. */
export async function fetchModuleTypeVersion(id: number, signal?: AbortSignal): Promise<ModuleTypeVersionWithEtag> {
  const response = await apiRequest<ApiModuleTypeVersion>('GET', `/api/module-type-versions/${id}`, { signal });
  return { version: versionFromApi(response.data), etag: response.etag };
}

export function useModuleTypeVersion(id: number) {
  return useQuery({
    queryKey: [...moduleTypeVersionQueryKey(id), 'detail'] as const,
    queryFn: ({ signal }) => fetchModuleTypeVersion(id, signal),
  });
}
