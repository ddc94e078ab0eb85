import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../client';
import { datasetsQueryKey } from './useDatasets';

/** POST /api/datasets/{id}/purge (Admin; the dataset must be removed first). Deletes it and all its rows. */
export function purgeDataset(id: number): Promise<null> {
  return apiPost<null>(`/api/datasets/${id}/purge`);
}

export function usePurgeDataset() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: purgeDataset,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: datasetsQueryKey }),
  });
}
