import { useState } from 'react';
import { useRemovalPlan } from '../../api/hooks/useRemovalPlan';
import { useRemoveModule } from '../../api/hooks/useRemoveModule';
import type { Module } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Dialog } from '../../components/Dialog';
import { errorMessage } from '../../components/ErrorPanel';

/** Remove a module after showing what goes with it (its history; optionally its unused output datasets). */
export function RemoveModuleDialog({ module, onClose, onRemoved }: { module: Module; onClose: () => void; onRemoved: () => void }) {
  const plan = useRemovalPlan(module.id);
  const remove = useRemoveModule();
  const [removeOutputs, setRemoveOutputs] = useState(false);

  if (plan.isPending) {
    return (
      <Dialog title="Remove module" onClose={onClose}>
        <p className="muted">Checking what the removal affects…</p>
      </Dialog>
    );
  }
  if (plan.isError || !plan.data.allowed) {
    return (
      <Dialog title="Remove module" onClose={onClose}>
        <div className="form-error" role="alert">
          <p>{plan.isError ? errorMessage(plan.error) : (plan.data.reason ?? 'You may not remove this module.')}</p>
        </div>
        <div className="ds-modal-actions">
          <button type="button" className="btn btn-primary" onClick={onClose}>
            Close
          </button>
        </div>
      </Dialog>
    );
  }
  const outputs = plan.data.outputs;
  const removable = outputs.filter((o) => o.removable);
  return (
    <ConfirmDialog
      title="Remove module"
      confirmLabel="Remove"
      danger
      pending={remove.isPending}
      error={remove.error}
      onCancel={onClose}
      onConfirm={() => remove.mutate({ id: module.id, removeOutputs }, { onSuccess: onRemoved })}
    >
      <p>
        Remove <strong>{module.name}</strong>? Its history (every run record) is removed with it.
      </p>
      {outputs.length === 0 ? (
        <p className="muted">The module has produced no output datasets.</p>
      ) : (
        <>
          <p>Output datasets of this module:</p>
          <ul className="mod-removal-outputs" data-testid="removal-outputs">
            {outputs.map((o) => (
              <li key={o.dataset}>
                <strong>{o.name}</strong>{' '}
                {o.removable ? (
                  <span className="muted">— not used elsewhere; removed (and purged) if you choose so below.</span>
                ) : (
                  <span className="muted">
                    — kept: {o.reason ?? `used by ${o.used_by.length ? o.used_by.join(', ') : 'other parts of the application'}.`}
                  </span>
                )}
              </li>
            ))}
          </ul>
          <label className="ds-checkbox">
            <input
              type="checkbox"
              checked={removeOutputs}
              disabled={removable.length === 0}
              onChange={(e) => setRemoveOutputs(e.target.checked)}
            />
            Also remove the {removable.length} output dataset{removable.length === 1 ? '' : 's'} nothing else uses
          </label>
        </>
      )}
    </ConfirmDialog>
  );
}
