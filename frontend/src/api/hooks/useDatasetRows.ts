import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import type { RowFilter, RowsPage, RowsQuery } from '../types';
import { datasetQueryKey } from './useDataset';

/** `column:op:value` as the rows endpoint reads it (`column:is_null` needs no value). */
export function serializeFilter(filter: RowFilter): string {
  if (filter.op === 'is_null') return `${filter.column}:is_null`;
  return `${filter.column}:${filter.op}:${filter.value}`;
}

/** Query string values of GET /api/datasets/{id}/rows; defaults are left out. */
export function rowsQueryParams(query: RowsQuery): Record<string, string | number | string[] | undefined> {
  const sorted = query.sort !== 'record_id' || query.order !== 'asc';
  return {
    version: query.version,
    limit: query.limit,
    after: query.after ?? undefined,
    sort: sorted ? query.sort : undefined,
    order: sorted ? query.order : undefined,
    filter: query.filters.length ? query.filters.map(serializeFilter) : undefined,
  };
}

export function datasetRowsQueryKey(id: number, query: RowsQuery) {
  return [...datasetQueryKey(id), 'rows', query] as const;
}

/** GET /api/datasets/{id}/rows?version=&limit=&after=&sort=&order=&filter= (400 `bad_query`). */
export function fetchDatasetRows(id: number, query: RowsQuery, signal?: AbortSignal): Promise<RowsPage> {
  return apiGet<RowsPage>(`/api/datasets/${id}/rows`, { signal, query: rowsQueryParams(query) });
}

export function useDatasetRows(id: number, query: RowsQuery | null) {
  return useQuery({
    queryKey: datasetRowsQueryKey(id, query as RowsQuery),
    queryFn: ({ signal }) => fetchDatasetRows(id, query as RowsQuery, signal),
    enabled: query !== null,
    placeholderData: keepPreviousData,
  });
}
