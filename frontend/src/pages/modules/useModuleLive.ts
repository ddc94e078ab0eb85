import { useQueryClient } from '@tanstack/react-query';
import { moduleDetailKey, moduleQueryKey, type ModuleWithEtag } from '../../api/hooks/useModule';
import { moduleHistoryKey } from '../../api/hooks/useModuleHistory';
import { moduleStatusKey } from '../../api/hooks/useModuleStatus';
import { runQueryKey } from '../../api/hooks/useRun';
import type { ModuleStatus } from '../../api/types';
import { useTopic } from '../../live/useTopic';
import { withAggregation } from './aggregation';
import type { StatusEvent } from './live';

/**
 * Topic `module:<id>` → the module's queries: `status` and `aggregation_changed` patch the module in place,
 * `module_changed` / runs refetch (`lock` events are the edit session's). A gap refetches everything.
 */
export function useModuleLive(id: number) {
  const queryClient = useQueryClient();
  const refetchAll = () => void queryClient.invalidateQueries({ queryKey: moduleQueryKey(id) });
  useTopic(
    Number.isFinite(id) ? `module:${id}` : null,
    (event) => {
      switch (event.type) {
        case 'status': {
          const { status, reasons } = event.data as StatusEvent;
          queryClient.setQueryData<ModuleStatus>(moduleStatusKey(id), { status, reasons });
          queryClient.setQueryData<ModuleWithEtag>(moduleDetailKey(id), (old) =>
            old ? { ...old, module: { ...old.module, status, reasons } } : old,
          );
          return;
        }
        case 'module_changed':
          void queryClient.invalidateQueries({ queryKey: moduleDetailKey(id) });
          return;
        case 'aggregation_changed':
          // The state after a run or process (docs/aggregation.md §5): the Aggregation tab and the pending mark.
          queryClient.setQueryData<ModuleWithEtag>(moduleDetailKey(id), (old) =>
            old ? { ...old, module: withAggregation(old.module, event) } : old,
          );
          return;
        case 'run_started':
        case 'run_finished':
          void queryClient.invalidateQueries({ queryKey: moduleDetailKey(id) });
          void queryClient.invalidateQueries({ queryKey: moduleHistoryKey(id) });
          void queryClient.invalidateQueries({ queryKey: moduleStatusKey(id) });
          if (typeof (event.data as { run?: unknown })?.run === 'number') {
            void queryClient.invalidateQueries({ queryKey: runQueryKey((event.data as { run: number }).run) });
          }
          return;
      }
    },
    refetchAll,
  );
}
