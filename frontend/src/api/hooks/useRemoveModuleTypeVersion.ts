import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiDelete } from '../client';
import { moduleTypeQueryKey } from './useModuleType';
import { moduleTypeVersionQueryKey } from './useModuleTypeVersion';
import { moduleTypesQueryKey } from './useModuleTypes';
import { moduleTypeVersionsQueryKey } from './useModuleTypeVersions';

export interface RemoveVersionArgs {
  id: number;
  moduleType: number;
}

/** DELETE /api/module-type-versions/{id} (final versions: Admin only; 409 with what uses it). */
export function removeModuleTypeVersion({ id }: RemoveVersionArgs): Promise<null> {
  return apiDelete(`/api/module-type-versions/${id}`);
}

export function useRemoveModuleTypeVersion() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: removeModuleTypeVersion,
    onSuccess: (_data, { id, moduleType }) => {
      queryClient.removeQueries({ queryKey: moduleTypeVersionQueryKey(id) });
      void queryClient.invalidateQueries({ queryKey: moduleTypeQueryKey(moduleType) });
      void queryClient.invalidateQueries({ queryKey: moduleTypesQueryKey });
      void queryClient.invalidateQueries({ queryKey: moduleTypeVersionsQueryKey });
    },
  });
}
