import { useFinalizeModuleTypeVersion } from '../../api/hooks/useFinalizeModuleTypeVersion';
import { useFinalizePlan } from '../../api/hooks/useFinalizePlan';
import { ConfirmDialog } from '../../components/ConfirmDialog';

/**
 * Finalizing a composite finalizes every non-final submodule version, recursively: the plan is listed
 * and the server gets exactly the ids the user agreed to.
 */
export function FinalizeDialog({ versionId, onClose, onDone }: { versionId: number; onClose: () => void; onDone: () => void }) {
  const plan = useFinalizePlan(versionId);
  const finalize = useFinalizeModuleTypeVersion();
  const versions = plan.data?.versions ?? [];
  return (
    <ConfirmDialog
      title="Finalize version"
      confirmLabel={versions.length > 1 ? `Finalize ${versions.length} versions` : 'Finalize'}
      pending={finalize.isPending || plan.isPending || versions.length === 0}
      error={plan.error ?? finalize.error}
      onCancel={onClose}
      onConfirm={() =>
        finalize.mutate(
          { id: versionId, confirm: versions.map((v) => v.id) },
          {
            onSuccess: () => {
              onDone();
              onClose();
            },
          },
        )
      }
    >
      {plan.isPending ? (
        <p className="muted">Loading what finalizing involves…</p>
      ) : (
        <>
          <p>
            Final versions can never change again. {versions.length > 1 ? 'These versions will all be finalized:' : 'This version will be finalized:'}
          </p>
          <ul data-testid="finalize-plan">
            {versions.map((v) => (
              <li key={v.id}>
                {v.module_type_name} v{v.number} — {v.name}
              </li>
            ))}
          </ul>
        </>
      )}
    </ConfirmDialog>
  );
}
