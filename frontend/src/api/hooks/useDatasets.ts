import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import type { Dataset, DatasetListParams } from '../types';

export const datasetsQueryKey = ['datasets'] as const;

export function datasetsListKey(params: DatasetListParams) {
  return [...datasetsQueryKey, params] as const;
}

/** GET /api/datasets?search=&project=&type=&removed=true */
export function fetchDatasets(params: DatasetListParams, signal?: AbortSignal): Promise<Dataset[]> {
  return apiGet<Dataset[]>('/api/datasets', {
    signal,
    query: {
      search: params.search || undefined,
      project: params.project ?? undefined,
      type: params.type ?? undefined,
      removed: params.removed ? 'true' : undefined,
    },
  });
}

export function useDatasets(params: DatasetListParams) {
  return useQuery({
    queryKey: datasetsListKey(params),
    queryFn: ({ signal }) => fetchDatasets(params, signal),
    placeholderData: keepPreviousData,
  });
}
