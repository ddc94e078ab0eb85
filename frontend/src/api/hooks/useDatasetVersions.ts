import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import type { DatasetVersion } from '../types';
import { datasetQueryKey } from './useDataset';

export function datasetVersionsQueryKey(id: number) {
  return [...datasetQueryKey(id), 'versions'] as const;
}

/** GET /api/datasets/{id}/versions: published versions by number. */
export function fetchDatasetVersions(id: number, signal?: AbortSignal): Promise<DatasetVersion[]> {
  return apiGet<DatasetVersion[]>(`/api/datasets/${id}/versions`, { signal });
}

export function useDatasetVersions(id: number) {
  return useQuery({
    queryKey: datasetVersionsQueryKey(id),
    queryFn: ({ signal }) => fetchDatasetVersions(id, signal),
  });
}
