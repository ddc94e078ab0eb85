import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../client';
import type { DatasetType, DatasetTypeCreate } from '../types';
import { datasetTypesQueryKey } from './useDatasetTypes';

/** POST /api/dataset-types (Modeler). 400 `invalid_columns` has `details.columns` (sentences). */
export function createDatasetType(body: DatasetTypeCreate): Promise<DatasetType> {
  return apiPost<DatasetType>('/api/dataset-types', body);
}

export function useCreateDatasetType() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createDatasetType,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: datasetTypesQueryKey }),
  });
}
