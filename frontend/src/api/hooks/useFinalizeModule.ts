import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../client';
import type { Module, ModuleFinalizeConfirm } from '../types';
import { moduleDetailKey, moduleQueryKey, type ModuleWithEtag } from './useModule';
import { modulesQueryKey } from './useModules';

/**
 * POST /api/modules/{id}/finalize (admins) → the module; 409 `cannot_finalize` with `details.reasons`.
 * `confirm`: the finalize plan agreed to (its type versions are finalized with it); 409 `plan_changed` when it no longer holds.
 */
export async function finalizeModule(id: number, confirm?: ModuleFinalizeConfirm): Promise<ModuleWithEtag> {
  const response = await apiRequest<Module>('POST', `/api/modules/${id}/finalize`, confirm ? { body: { confirm } } : undefined);
  return { module: response.data, etag: response.etag };
}

export function useFinalizeModule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, confirm }: { id: number; confirm?: ModuleFinalizeConfirm }) => finalizeModule(id, confirm),
    onSuccess: (result, { id }) => {
      // The finalize response may carry no ETag: refetch the detail rather than keep a null one.
      if (result.etag) queryClient.setQueryData(moduleDetailKey(id), result);
      void queryClient.invalidateQueries({ queryKey: moduleQueryKey(id) });
      void queryClient.invalidateQueries({ queryKey: modulesQueryKey });
    },
  });
}
