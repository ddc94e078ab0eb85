import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '../client';
import type { Module } from '../types';

/** Prefix of every query about one module (status, history, removal plan live under it). */
export function moduleQueryKey(id: number) {
  return ['module', id] as const;
}

export function moduleDetailKey(id: number) {
  return [...moduleQueryKey(id), 'detail'] as const;
}

export interface ModuleWithEtag {
  module: Module;
  /** Send back as `If-Match` when saving. */
  etag: string | null;
}

/** GET /api/modules/{id}, keeping the ETag. */
export async function fetchModule(id: number, signal?: AbortSignal): Promise<ModuleWithEtag> {
  const response = await apiRequest<Module>('GET', `/api/modules/${id}`, { signal });
  return { module: response.data, etag: response.etag };
}

export function useModule(id: number) {
  return useQuery({
    queryKey: moduleDetailKey(id),
    queryFn: ({ signal }) => fetchModule(id, signal),
    enabled: Number.isFinite(id),
  });
}
