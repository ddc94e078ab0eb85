import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../client';
import type { BringUpToDateResult } from '../types';
import { modulesQueryKey } from './useModules';

/** POST /api/modules/bring-up-to-date `{modules}` → 202 `{runs}` (run in dependency order). */
export function bringUpToDate(modules: number[]): Promise<BringUpToDateResult> {
  return apiPost<BringUpToDateResult>('/api/modules/bring-up-to-date', { modules });
}

export function useBringUpToDate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: bringUpToDate,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: modulesQueryKey });
      void queryClient.invalidateQueries({ queryKey: ['module'] });
    },
  });
}
