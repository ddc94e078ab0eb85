import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../client';
import type { Module } from '../types';
import { modulesQueryKey } from './useModules';

export interface CopyModuleArgs {
  id: number;
  /** Default on the server: "Copy of X". */
  name?: string;
}

/** POST /api/modules/{id}/copy `{name?}` → 201 the copy (not final, no history). */
export function copyModule({ id, name }: CopyModuleArgs): Promise<Module> {
  return apiPost<Module>(`/api/modules/${id}/copy`, name ? { name } : {});
}

export function useCopyModule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: copyModule,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: modulesQueryKey }),
  });
}
