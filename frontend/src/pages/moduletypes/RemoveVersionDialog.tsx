import { useModuleTypeVersion } from '../../api/hooks/useModuleTypeVersion';
import { useRemoveModuleTypeVersion } from '../../api/hooks/useRemoveModuleTypeVersion';
import type { ModuleTypeVersionSummary } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { mergeUsedBy, usedByFromError } from './draft';
import { UsageNotice } from './UsageList';

export function RemoveVersionDialog({
  moduleType,
  typeName,
  version,
  onClose,
}: {
  moduleType: number;
  typeName: string;
  version: ModuleTypeVersionSummary;
  onClose: () => void;
}) {
  const detail = useModuleTypeVersion(version.id);
  const remove = useRemoveModuleTypeVersion();
  const used = mergeUsedBy([detail.data?.version.used_by, usedByFromError(remove.error)]);
  return (
    <ConfirmDialog
      title="Remove version"
      confirmLabel="Remove"
      danger
      pending={remove.isPending}
      error={remove.error}
      onCancel={onClose}
      onConfirm={() => remove.mutate({ id: version.id, moduleType }, { onSuccess: onClose })}
    >
      <p>
        Remove <strong>{typeName}</strong> version {version.number} ({version.name})
        {version.is_final ? ', a final version' : ''}?
      </p>
      <UsageNotice checking={detail.isPending} used={used} />
    </ConfirmDialog>
  );
}
