import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiDelete } from '../client';
import { datasetsQueryKey } from './useDatasets';

/** DELETE /api/datasets/{id} (its creator or an admin). 409 `dataset_in_use` lists `details.modules`. */
export function removeDataset(id: number): Promise<null> {
  return apiDelete(`/api/datasets/${id}`);
}

export function useRemoveDataset() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: removeDataset,
    // The page navigates away on success; the list then shows the dataset gone.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: datasetsQueryKey }),
  });
}
