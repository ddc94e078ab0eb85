import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import { datasetTypesQueryKey } from './useDatasetTypes';

/** A module type version with dataset slots of the type. */
export interface DatasetTypeUser {
  id: number;
  module_type: number;
  module_type_name: string;
  number: number;
  name: string;
  is_final: boolean;
  slots: { placeholder: string; mode: string }[];
}

export interface DatasetTypeUsage {
  datasets: { id: number; name: string; project: number; project_name: string }[];
  module_type_versions: DatasetTypeUser[];
}

/** GET /api/dataset-types/{id}/usage: what uses the type among the caller's projects. */
export function useDatasetTypeUsage(id: number) {
  return useQuery({
    queryKey: [...datasetTypesQueryKey, id, 'usage'] as const,
    queryFn: ({ signal }) => apiGet<DatasetTypeUsage>(`/api/dataset-types/${id}/usage`, { signal }),
    enabled: Number.isFinite(id),
  });
}
