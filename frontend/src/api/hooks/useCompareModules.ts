import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import type { ModuleComparison } from '../types';

/** GET /api/modules/compare?first=&second= → rows `{section, key, first, second, result}`. */
export function fetchComparison(first: number, second: number, signal?: AbortSignal): Promise<ModuleComparison> {
  return apiGet<ModuleComparison>('/api/modules/compare', { signal, query: { first, second } });
}

export function compareQueryKey(first: number | null, second: number | null) {
  return ['modules-compare', first, second] as const;
}

export function useCompareModules(first: number | null, second: number | null) {
  return useQuery({
    queryKey: compareQueryKey(first, second),
    queryFn: ({ signal }) => fetchComparison(first!, second!, signal),
    enabled: first != null && second != null,
  });
}
