import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import type { RelatedModule } from '../types';
import { datasetQueryKey } from './useDataset';

/** GET /api/datasets/{id}/related-modules: modules that read the dataset or ever produced it. */
export function fetchRelatedModules(id: number, signal?: AbortSignal): Promise<RelatedModule[]> {
  return apiGet<RelatedModule[]>(`/api/datasets/${id}/related-modules`, { signal });
}

export function useRelatedModules(id: number) {
  return useQuery({
    queryKey: [...datasetQueryKey(id), 'related-modules'] as const,
    queryFn: ({ signal }) => fetchRelatedModules(id, signal),
  });
}
