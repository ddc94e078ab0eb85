import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiDelete } from '../client';
import { moduleTypeQueryKey } from './useModuleType';
import { moduleTypesQueryKey } from './useModuleTypes';
import { moduleTypeVersionsQueryKey } from './useModuleTypeVersions';

/** DELETE /api/module-types/{id} (Admin only; 409 `type_in_use` / `type_has_final` with what uses it). */
export function removeModuleType(id: number): Promise<null> {
  return apiDelete(`/api/module-types/${id}`);
}

export function useRemoveModuleType() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: removeModuleType,
    onSuccess: (_data, id) => {
      queryClient.removeQueries({ queryKey: moduleTypeQueryKey(id) });
      void queryClient.invalidateQueries({ queryKey: moduleTypesQueryKey });
      void queryClient.invalidateQueries({ queryKey: moduleTypeVersionsQueryKey });
    },
  });
}
