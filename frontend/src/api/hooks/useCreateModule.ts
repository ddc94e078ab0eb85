import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../client';
import type { Module, ModuleCreate } from '../types';
import { modulesQueryKey } from './useModules';

/** POST /api/modules → 201 the module. 409 `duplicate_name`, 400 `invalid_bindings` / field details. */
export function createModule(body: ModuleCreate): Promise<Module> {
  return apiPost<Module>('/api/modules', body);
}

export function useCreateModule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createModule,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: modulesQueryKey }),
  });
}
