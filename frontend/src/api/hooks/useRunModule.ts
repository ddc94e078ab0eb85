import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../client';
import type { Run } from '../types';
import { moduleQueryKey } from './useModule';
import { modulesQueryKey } from './useModules';

export interface RunModuleArgs {
  id: number;
  mode?: 'run' | 'process';
}

/** POST /api/modules/{id}/run → 202 the run. 409 `already_running` (details.run). */
export function runModule({ id, mode = 'run' }: RunModuleArgs): Promise<Run> {
  return apiPost<Run>(`/api/modules/${id}/run`, { mode });
}

export function useRunModule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: runModule,
    onSuccess: (_run, { id }) => {
      void queryClient.invalidateQueries({ queryKey: moduleQueryKey(id) });
      void queryClient.invalidateQueries({ queryKey: modulesQueryKey });
    },
  });
}
