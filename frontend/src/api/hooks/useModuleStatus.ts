import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import type { ModuleStatus } from '../types';
import { moduleQueryKey } from './useModule';

export function moduleStatusKey(id: number) {
  return [...moduleQueryKey(id), 'status'] as const;
}

/** GET /api/modules/{id}/status → `{status, reasons: [{code, message}]}`. */
export function fetchModuleStatus(id: number, signal?: AbortSignal): Promise<ModuleStatus> {
  return apiGet<ModuleStatus>(`/api/modules/${id}/status`, { signal });
}

export function useModuleStatus(id: number, enabled = true) {
  return useQuery({
    queryKey: moduleStatusKey(id),
    queryFn: ({ signal }) => fetchModuleStatus(id, signal),
    enabled: enabled && Number.isFinite(id),
  });
}
