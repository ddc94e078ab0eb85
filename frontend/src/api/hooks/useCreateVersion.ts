import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../client';
import type { DatasetVersion, VersionCreate } from '../types';
import { datasetQueryKey } from './useDataset';

/** POST /api/datasets/{id}/versions: a new version from a final base (409 `base_not_final`). */
export function createVersion(id: number, body: VersionCreate): Promise<DatasetVersion> {
  return apiPost<DatasetVersion>(`/api/datasets/${id}/versions`, body);
}

export function useCreateVersion(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: VersionCreate) => createVersion(id, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: datasetQueryKey(id) }),
  });
}
