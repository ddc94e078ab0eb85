import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { isApiError } from '../../api/client';
import { useFinalizeModule } from '../../api/hooks/useFinalizeModule';
import { moduleFinalizePlanKey, useModuleFinalizePlan } from '../../api/hooks/useModuleFinalizePlan';
import type { Module } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { datasetVersionLabel, finalizeConfirm, finalizeCount } from './finalizePlan';

/** The reasons of a 409 `cannot_finalize`. */
function finalizeReasons(error: unknown): string[] {
  if (!isApiError(error) || error.code !== 'cannot_finalize') return [];
  const reasons = (error.details as { reasons?: unknown } | null)?.reasons;
  if (!Array.isArray(reasons)) return [];
  return reasons.map((r) => (typeof r === 'string' ? r : ((r as { message?: string })?.message ?? JSON.stringify(r))));
}

/**
 * EMF: finalizing a module finalizes its input and output datasets too. As a composite type's finalize lists its submodule
 * versions, the dialog lists what will be finalized with the module (its non-final type versions, the dataset versions of
 * its last run) and sends exactly that plan; one that changed meanwhile is refused and shown again.
 */
export function FinalizeModuleDialog({ module, onClose, onDone }: { module: Module; onClose: () => void; onDone: () => void }) {
  const queryClient = useQueryClient();
  const plan = useModuleFinalizePlan(module.id);
  const finalize = useFinalizeModule();
  const reasons = finalizeReasons(finalize.error);
  const data = plan.data;
  const count = data ? finalizeCount(data) : 0;
  return (
    <ConfirmDialog
      title="Finalize module"
      confirmLabel="Finalize"
      pending={finalize.isPending || plan.isPending}
      error={plan.error ?? finalize.error}
      errorDetails={
        reasons.length > 0 && (
          <ul data-testid="finalize-reasons">
            {reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        )
      }
      onCancel={onClose}
      onConfirm={() =>
        finalize.mutate(
          { id: module.id, confirm: data ? finalizeConfirm(data) : undefined },
          {
            onSuccess: onDone,
            onError: (error) => {
              if (isApiError(error) && error.code === 'plan_changed') void queryClient.invalidateQueries({ queryKey: moduleFinalizePlanKey(module.id) });
            },
          },
        )
      }
    >
      <p>
        Finalize <strong>{module.name}</strong>? A final module never changes, nor does anything finalized with it.
      </p>
      {plan.isPending && <p className="muted">Loading what finalizing involves…</p>}
      {data && (
        <>
          <p>{count > 0 ? `Finalized with it (${count}):` : 'Nothing else needs finalizing with it.'}</p>
          <h3 className="ds-subheading">Module type versions</h3>
          {data.type_versions.length > 0 ? (
            <ul data-testid="finalize-type-versions">
              {data.type_versions.map((v) => (
                <li key={v.id}>
                  <Link to={`/module-type-versions/${v.id}`}>
                    {v.module_type_name} v{v.number}
                  </Link>
                  {v.name && <> — {v.name}</>}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted" data-testid="finalize-type-versions">
              {module.type_name} v{module.type_version_number} is final already.
            </p>
          )}
          <h3 className="ds-subheading">Dataset versions of the last run</h3>
          {data.dataset_versions.length > 0 ? (
            <ul data-testid="finalize-dataset-versions">
              {data.dataset_versions.map((v) => (
                <li key={v.id}>
                  <Link to={`/datasets/${v.dataset}`}>{datasetVersionLabel(v)}</Link>
                  {v.is_final && <span className="muted"> — final already</span>}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted" data-testid="finalize-dataset-versions">
              None: the module has not run.
            </p>
          )}
          {data.blockers.length > 0 && (
            <div className="ds-notice" data-testid="finalize-blockers">
              <p>It cannot be finalized yet:</p>
              <ul>
                {data.blockers.map((b) => (
                  <li key={b.code}>{b.message}</li>
                ))}
              </ul>
            </div>
          )}
        </>
      )}
    </ConfirmDialog>
  );
}
