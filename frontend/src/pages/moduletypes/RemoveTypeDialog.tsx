import { useQueries } from '@tanstack/react-query';
import { fetchModuleTypeVersion, moduleTypeVersionQueryKey } from '../../api/hooks/useModuleTypeVersion';
import { useRemoveModuleType } from '../../api/hooks/useRemoveModuleType';
import type { ModuleType } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { mergeUsedBy, usedByFromError } from './draft';
import { UsageNotice } from './UsageList';

/** Admin: remove a whole module type, after seeing what uses its versions (pre-check, then the 409's list). */
export function RemoveTypeDialog({ moduleType, onClose, onRemoved }: { moduleType: ModuleType; onClose: () => void; onRemoved?: () => void }) {
  const remove = useRemoveModuleType();
  const details = useQueries({
    queries: moduleType.versions.map((v) => ({
      queryKey: [...moduleTypeVersionQueryKey(v.id), 'detail'] as const,
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchModuleTypeVersion(v.id, signal),
    })),
  });
  const checking = details.some((d) => d.isPending);
  const used = mergeUsedBy([...details.map((d) => d.data?.version.used_by), usedByFromError(remove.error)]);
  const finals = moduleType.versions.filter((v) => v.is_final).length;
  return (
    <ConfirmDialog
      title="Remove module type"
      confirmLabel="Remove"
      danger
      pending={remove.isPending}
      error={remove.error}
      onCancel={onClose}
      onConfirm={() =>
        remove.mutate(moduleType.id, {
          onSuccess: () => {
            onClose();
            onRemoved?.();
          },
        })
      }
    >
      <p>
        Remove <strong>{moduleType.name}</strong> and its {moduleType.versions.length} version
        {moduleType.versions.length === 1 ? '' : 's'}
        {finals ? ` (${finals} final)` : ''}?
      </p>
      <UsageNotice checking={checking} used={used} noneText="No module or composite module type uses it." />
    </ConfirmDialog>
  );
}
