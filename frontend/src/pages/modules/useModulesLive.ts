import { useQueryClient } from '@tanstack/react-query';
import { useMe } from '../../api/hooks/useMe';
import { modulesListKey, modulesQueryKey } from '../../api/hooks/useModules';
import type { Module, ModuleListParams } from '../../api/types';
import { useTopics } from '../../live/useTopic';
import { pushToast } from '../../components/Toasts';
import { listWithAggregation } from './aggregation';
import { applyModulesEvent } from './live';
import { runFailureToast } from './runResult';

/** A project's module list topic: only its members may follow it (status reasons name its datasets). */
export function modulesTopic(projectId: number): string {
  return `modules:${projectId}`;
}

/**
 * Keeps the Module Manager's list live from the topics `modules:<project id>` of the user's projects: status badges change in place, removed
 * modules leave, anything the list cannot patch (a new module, a run starting) refetches; a gap refetches.
 */
export function useModulesLive(params: ModuleListParams) {
  const queryClient = useQueryClient();
  const refetch = () => void queryClient.invalidateQueries({ queryKey: modulesQueryKey });
  const { data: me } = useMe();
  const topics = (me?.projects ?? []).map((p) => modulesTopic(p.id));
  useTopics(topics, (event) => {
    const key = modulesListKey(params);
    const list = queryClient.getQueryData<Module[]>(key);
    if (!list) return;
    const toast = runFailureToast(event, list);
    if (toast) pushToast(toast);
    const patched = listWithAggregation(list, event);
    if (patched !== list) {
      queryClient.setQueryData(key, patched);
      return;
    }
    const update = applyModulesEvent(list, event, params);
    if (update.list !== list) queryClient.setQueryData(key, update.list);
    if (update.refetch) refetch();
  }, refetch);
}
