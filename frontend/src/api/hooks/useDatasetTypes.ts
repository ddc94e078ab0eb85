import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import type { DatasetType } from '../types';

export const datasetTypesQueryKey = ['dataset-types'] as const;

/** GET /api/dataset-types: every dataset type (shared by all projects). */
export function fetchDatasetTypes(signal?: AbortSignal): Promise<DatasetType[]> {
  return apiGet<DatasetType[]>('/api/dataset-types', { signal });
}

/** Dataset types by name (case and accents aside), as every picker lists them. */
export function sortDatasetTypes<T extends { name: string }>(types: T[]): T[] {
  return [...types].sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true }));
}

export function useDatasetTypes() {
  return useQuery({
    queryKey: datasetTypesQueryKey,
    queryFn: ({ signal }) => fetchDatasetTypes(signal),
    select: sortDatasetTypes,
  });
}
