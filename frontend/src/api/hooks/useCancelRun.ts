import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../client';
import type { Run } from '../types';
import { moduleQueryKey } from './useModule';
import { runQueryKey } from './useRun';

/** POST /api/runs/{id}/cancel → 202 the run (cancel requested). 409 `run_finished`. */
export function cancelRun(id: number): Promise<Run> {
  return apiPost<Run>(`/api/runs/${id}/cancel`);
}

export function useCancelRun() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: cancelRun,
    onSuccess: (run, id) => {
      void queryClient.invalidateQueries({ queryKey: runQueryKey(id) });
      void queryClient.invalidateQueries({ queryKey: moduleQueryKey(run.module) });
    },
  });
}
