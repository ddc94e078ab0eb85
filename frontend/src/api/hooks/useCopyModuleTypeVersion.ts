import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../client';
import { versionFromApi } from '../graph';
import type { ApiModuleTypeVersion, ModuleTypeVersion } from '../types';
import { moduleTypeQueryKey } from './useModuleType';
import { moduleTypesQueryKey } from './useModuleTypes';
import { moduleTypeVersionsQueryKey } from './useModuleTypeVersions';

export interface CopyVersionArgs {
  moduleType: number;
  /** The version to copy. */
  source: number;
  name?: string;
}

/** POST /api/module-types/{id}/versions {source, name?} → 201 the new version (a copy). */
export async function copyModuleTypeVersion({ moduleType, source, name }: CopyVersionArgs): Promise<ModuleTypeVersion> {
  const body = name ? { source, name } : { source };
  return versionFromApi(await apiPost<ApiModuleTypeVersion>(`/api/module-types/${moduleType}/versions`, body));
}

export function useCopyModuleTypeVersion() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: copyModuleTypeVersion,
    onSuccess: (_created, { moduleType }) => {
      void queryClient.invalidateQueries({ queryKey: moduleTypeQueryKey(moduleType) });
      void queryClient.invalidateQueries({ queryKey: moduleTypesQueryKey });
      void queryClient.invalidateQueries({ queryKey: moduleTypeVersionsQueryKey });
    },
  });
}
