import { useQueryClient } from '@tanstack/react-query';
import { modulesListKey, modulesQueryKey } from '../../api/hooks/useModules';
import type { Module, ModuleListParams } from '../../api/types';
import { useTopic } from '../../live/useTopic';
import { applyModulesEvent } from './live';

/**
 * Keeps the Module Manager's list live from topic `modules`: status badges change in place, removed
 * modules leave, anything the list cannot patch (a new module, a run starting) refetches; a gap refetches.
 */
export function useModulesLive(params: ModuleListParams) {
  const queryClient = useQueryClient();
  const refetch = () => void queryClient.invalidateQueries({ queryKey: modulesQueryKey });
  useTopic('modules', (event) => {
    const key = modulesListKey(params);
    const list = queryClient.getQueryData<Module[]>(key);
    if (!list) return;
    const update = applyModulesEvent(list, event, params);
    if (update.list !== list) queryClient.setQueryData(key, update.list);
    if (update.refetch) refetch();
  }, refetch);
}
