import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../client';
import type { Dataset, DatasetCreate } from '../types';
import { datasetsQueryKey } from './useDatasets';

/** POST /api/datasets (Modeler in the project). 409 `duplicate_name`. */
export function createDataset(body: DatasetCreate): Promise<Dataset> {
  return apiPost<Dataset>('/api/datasets', body);
}

export function useCreateDataset() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createDataset,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: datasetsQueryKey }),
  });
}
