import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../client';
import type { Module, ModuleUpdate } from '../types';
import { moduleDetailKey, moduleQueryKey, type ModuleWithEtag } from './useModule';
import { modulesQueryKey } from './useModules';

export interface UpdateModuleArgs {
  id: number;
  changes: ModuleUpdate;
  /** The ETag the edit started from: a stale one gets 412 (someone else saved meanwhile). */
  etag: string | null;
}

/** PATCH /api/modules/{id} with If-Match. 412 stale, 409 `module_final`, 400 `invalid_bindings`. */
export async function updateModule({ id, changes, etag }: UpdateModuleArgs): Promise<ModuleWithEtag> {
  const response = await apiRequest<Module>('PATCH', `/api/modules/${id}`, { body: changes, ifMatch: etag });
  return { module: response.data, etag: response.etag };
}

export function useUpdateModule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateModule,
    onSuccess: (result, { id }) => {
      queryClient.setQueryData(moduleDetailKey(id), result);
      void queryClient.invalidateQueries({ queryKey: [...moduleQueryKey(id), 'status'] });
      void queryClient.invalidateQueries({ queryKey: modulesQueryKey });
    },
  });
}
