import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import { SQL_TYPES } from '../types';

export const sqlTypesQueryKey = ['sql-types'] as const;

/** GET /api/sql-types: the configurable list of SQL types a parameter may have. */
export function fetchSqlTypes(signal?: AbortSignal): Promise<string[]> {
  return apiGet<string[]>('/api/sql-types', { signal });
}

/** `data` falls back to the default list while loading or if the server has no such endpoint. */
export function useSqlTypes() {
  const query = useQuery({
    queryKey: sqlTypesQueryKey,
    queryFn: ({ signal }) => fetchSqlTypes(signal),
    staleTime: 60 * 60_000,
    retry: false,
  });
  const list = Array.isArray(query.data) && query.data.length > 0 ? query.data : [...SQL_TYPES];
  return { ...query, list };
}
