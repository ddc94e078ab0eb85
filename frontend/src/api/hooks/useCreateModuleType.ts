import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../client';
import type { ModuleType, ModuleTypeCreate } from '../types';
import { moduleTypesQueryKey } from './useModuleTypes';
import { moduleTypeVersionsQueryKey } from './useModuleTypeVersions';

/** POST /api/module-types → 201 the type (with its version 0). */
export function createModuleType(body: ModuleTypeCreate): Promise<ModuleType> {
  return apiPost<ModuleType>('/api/module-types', body);
}

export function useCreateModuleType() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createModuleType,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: moduleTypesQueryKey });
      void queryClient.invalidateQueries({ queryKey: moduleTypeVersionsQueryKey });
    },
  });
}
