import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../client';
import type { Run } from '../types';
import { moduleQueryKey } from './useModule';
import { modulesQueryKey } from './useModules';

export interface RunModuleArgs {
  id: number;
  mode?: 'run' | 'process';
  /** This run's own values of IN parameters (docs/aggregation.md §3); the module keeps its own. */
  parameters?: Record<string, string>;
}

/**
 * POST /api/modules/{id}/run → 202 the run. 409 `already_running` (details.run); 400 `no_aggregation`
 * (process without aggregation), `unknown_parameter` / `invalid_parameter_value` (details.parameters).
 */
export function runModule({ id, mode = 'run', parameters }: RunModuleArgs): Promise<Run> {
  return apiPost<Run>(`/api/modules/${id}/run`, parameters && Object.keys(parameters).length ? { mode, parameters } : { mode });
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
