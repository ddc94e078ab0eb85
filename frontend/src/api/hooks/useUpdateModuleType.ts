import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPatch } from '../client';
import type { ModuleType, ModuleTypeUpdate } from '../types';
import { moduleTypeQueryKey } from './useModuleType';
import { moduleTypesQueryKey } from './useModuleTypes';

export interface UpdateModuleTypeArgs {
  id: number;
  changes: ModuleTypeUpdate;
}

/** PATCH /api/module-types/{id} (name, description, tags). */
export function updateModuleType({ id, changes }: UpdateModuleTypeArgs): Promise<ModuleType> {
  return apiPatch<ModuleType>(`/api/module-types/${id}`, changes);
}

export function useUpdateModuleType() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateModuleType,
    onSuccess: (updated, { id }) => {
      queryClient.setQueryData(moduleTypeQueryKey(id), updated);
      void queryClient.invalidateQueries({ queryKey: moduleTypesQueryKey });
    },
  });
}
