import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '../client';
import type { Dataset } from '../types';

/** Prefix of every query about one dataset (versions, rows, related modules live under it). */
export function datasetQueryKey(id: number) {
  return ['dataset', id] as const;
}

export interface DatasetWithEtag {
  dataset: Dataset;
  /** Send back as `If-Match` when editing. */
  etag: string | null;
}

/** GET /api/datasets/{id}, keeping the ETag. */
export async function fetchDataset(id: number, signal?: AbortSignal): Promise<DatasetWithEtag> {
  const response = await apiRequest<Dataset>('GET', `/api/datasets/${id}`, { signal });
  return { dataset: response.data, etag: response.etag };
}

export function useDataset(id: number) {
  return useQuery({
    queryKey: [...datasetQueryKey(id), 'detail'] as const,
    queryFn: ({ signal }) => fetchDataset(id, signal),
  });
}
