import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../client';
import type { DatasetVersion } from '../types';
import { datasetQueryKey } from './useDataset';

/** POST /api/datasets/{id}/versions/{n}/finalize (409 `version_final` when it already is). */
export function finalizeVersion(id: number, number: number): Promise<DatasetVersion> {
  return apiPost<DatasetVersion>(`/api/datasets/${id}/versions/${number}/finalize`);
}

export function useFinalizeVersion(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (number: number) => finalizeVersion(id, number),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: datasetQueryKey(id) }),
  });
}
