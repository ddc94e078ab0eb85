import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../client';
import type { ModuleType } from '../types';
import { moduleTypesQueryKey } from './useModuleTypes';
import { moduleTypeVersionsQueryKey } from './useModuleTypeVersions';

export interface NewTypeFromVersionArgs {
  version: number;
  name: string;
}

/** POST /api/module-type-versions/{id}/new-type {name} → 201 a new type whose version 0 copies this one. */
export function newTypeFromVersion({ version, name }: NewTypeFromVersionArgs): Promise<ModuleType> {
  return apiPost<ModuleType>(`/api/module-type-versions/${version}/new-type`, { name });
}

export function useNewTypeFromVersion() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: newTypeFromVersion,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: moduleTypesQueryKey });
      void queryClient.invalidateQueries({ queryKey: moduleTypeVersionsQueryKey });
    },
  });
}
