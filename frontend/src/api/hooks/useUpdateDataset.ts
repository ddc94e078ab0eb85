import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../client';
import type { Dataset, DatasetUpdate } from '../types';
import { datasetQueryKey, type DatasetWithEtag } from './useDataset';
import { datasetsQueryKey } from './useDatasets';

export interface UpdateDatasetArgs {
  id: number;
  changes: DatasetUpdate;
  /** The ETag the edit started from: a stale one gets 412 (someone else saved meanwhile). */
  etag: string | null;
}

/** PATCH /api/datasets/{id} with If-Match. */
export async function updateDataset({ id, changes, etag }: UpdateDatasetArgs): Promise<DatasetWithEtag> {
  const response = await apiRequest<Dataset>('PATCH', `/api/datasets/${id}`, { body: changes, ifMatch: etag });
  return { dataset: response.data, etag: response.etag };
}

export function useUpdateDataset() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateDataset,
    onSuccess: (result, { id }) => {
      queryClient.setQueryData([...datasetQueryKey(id), 'detail'], result);
      void queryClient.invalidateQueries({ queryKey: datasetsQueryKey });
    },
  });
}
