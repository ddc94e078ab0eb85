import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiDelete } from '../client';
import { moduleQueryKey } from './useModule';
import { modulesQueryKey } from './useModules';

export interface RemoveModuleArgs {
  id: number;
  /** Also remove the output datasets nothing else uses. */
  removeOutputs: boolean;
}

/** DELETE /api/modules/{id}?remove_outputs= → 204. 403 for others' or final modules (non-admins). */
export function removeModule({ id, removeOutputs }: RemoveModuleArgs): Promise<null> {
  return apiDelete(`/api/modules/${id}`, { query: { remove_outputs: removeOutputs ? 'true' : 'false' } });
}

export function useRemoveModule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: removeModule,
    onSuccess: (_null, { id }) => {
      queryClient.removeQueries({ queryKey: moduleQueryKey(id) });
      void queryClient.invalidateQueries({ queryKey: modulesQueryKey });
      void queryClient.invalidateQueries({ queryKey: ['datasets'] });
    },
  });
}
