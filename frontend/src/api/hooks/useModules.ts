import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiGet } from '../client';
import type { Module, ModuleListParams } from '../types';

/** Prefix of every module list query (the live layer patches and invalidates these). */
export const modulesQueryKey = ['modules'] as const;

export function modulesListKey(params: ModuleListParams) {
  return [...modulesQueryKey, params] as const;
}

/** The filters as the API's query string values: only those that are set (docs/modules-api.md). */
export function moduleListQuery(params: ModuleListParams): Record<string, string> {
  const out: Record<string, string> = {};
  const text = (key: keyof ModuleListParams) => {
    const value = params[key];
    if (typeof value === 'string' && value.trim()) out[key] = value.trim();
  };
  const flag = (key: 'composite' | 'final') => {
    const value = params[key];
    if (value === true || value === false) out[key] = String(value);
  };
  const id = (key: 'project' | 'module_type' | 'type_version') => {
    const value = params[key];
    if (typeof value === 'number' && Number.isFinite(value)) out[key] = String(value);
  };
  text('search');
  flag('composite');
  flag('final');
  text('tag');
  id('project');
  id('module_type');
  id('type_version');
  text('creator');
  if (params.status) out.status = params.status;
  text('lock_owner');
  text('modified_after');
  text('modified_before');
  return out;
}

/** GET /api/modules?search=&composite=&final=&tag=&project=&module_type=&type_version=&creator=&status=&lock_owner=&modified_after=&modified_before= */
export function fetchModules(params: ModuleListParams, signal?: AbortSignal): Promise<Module[]> {
  return apiGet<Module[]>('/api/modules', { signal, query: moduleListQuery(params) });
}

export function useModules(params: ModuleListParams) {
  return useQuery({
    queryKey: modulesListKey(params),
    queryFn: ({ signal }) => fetchModules(params, signal),
    placeholderData: keepPreviousData,
  });
}
