import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../client';
import { versionFromApi } from '../graph';
import type { ApiModuleTypeVersion, ModuleTypeVersion } from '../types';
import { moduleTypeQueryKey } from './useModuleType';
import { moduleTypesQueryKey } from './useModuleTypes';
import { moduleTypeVersionsQueryKey } from './useModuleTypeVersions';

export interface FinalizeArgs {
  id: number;
  /** The ids of the finalize plan, as listed (the user agreed to all of them). */
  confirm: number[];
}

/** POST /api/module-type-versions/{id}/finalize {confirm} (Admin only) → the final version. */
export async function finalizeModuleTypeVersion({ id, confirm }: FinalizeArgs): Promise<ModuleTypeVersion> {
  return versionFromApi(await apiPost<ApiModuleTypeVersion>(`/api/module-type-versions/${id}/finalize`, { confirm }));
}

export function useFinalizeModuleTypeVersion() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: finalizeModuleTypeVersion,
    onSuccess: (version) => {
      // Every version of the plan changed: refetch all version details.
      void queryClient.invalidateQueries({ queryKey: ['module-type-version'] });
      void queryClient.invalidateQueries({ queryKey: moduleTypeQueryKey(version.module_type) });
      void queryClient.invalidateQueries({ queryKey: moduleTypesQueryKey });
      void queryClient.invalidateQueries({ queryKey: moduleTypeVersionsQueryKey });
    },
  });
}
