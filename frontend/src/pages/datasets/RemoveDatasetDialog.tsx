import { Link } from 'react-router-dom';
import { useRemoveDataset } from '../../api/hooks/useRemoveDataset';
import type { Dataset } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { modulesInUse } from './errors';
import { relationLabel } from './RelatedModulesSection';

interface Props {
  dataset: Dataset;
  onClose: () => void;
  onRemoved: () => void;
}

/** Remove (soft): refused with 409 while modules use the dataset; they are listed then. */
export function RemoveDatasetDialog({ dataset, onClose, onRemoved }: Props) {
  const remove = useRemoveDataset();
  const modules = modulesInUse(remove.error);
  return (
    <ConfirmDialog
      title="Remove dataset"
      confirmLabel="Remove"
      danger
      pending={remove.isPending}
      error={remove.error}
      errorDetails={
        modules.length > 0 && (
          <ul data-testid="modules-in-use">
            {modules.map((m, i) => (
              <li key={`${m.module_id}-${i}`}>
                <Link to={`/modules/${m.module_id}`}>{m.module_name}</Link> — {relationLabel(m.relation)}
              </li>
            ))}
          </ul>
        )
      }
      onCancel={onClose}
      onConfirm={() => remove.mutate(dataset.id, { onSuccess: onRemoved })}
    >
      <p>
        Remove <strong>{dataset.name}</strong>? It disappears from the Dataset Manager; an admin can still purge it
        for good.
      </p>
    </ConfirmDialog>
  );
}
