import { useState, type FormEvent } from 'react';
import { useRunModule } from '../../api/hooks/useRunModule';
import type { Module, ParameterSlot, Run } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { FormErrors } from '../../components/FormErrors';
import { overridableSlots, overrideErrors, overrideFormValues, refusalHint, runOverrides, type RunMode } from './aggregation';

interface Props {
  module: Pick<Module, 'id' | 'name' | 'parameter_bindings' | 'aggregation'>;
  /** The module type version's parameter slots. */
  slots: ParameterSlot[];
  onClose: () => void;
  onStarted: (run: Run, mode: RunMode, parameters: Record<string, string>) => void;
}

/**
 * "Run with parameters…" (docs/aggregation.md §3, MAGDA's `pipeline.run(request)`): values of IN
 * parameters for this run only; the module keeps its own. Refusals stay in the dialog, on the field
 * they name (400 `unknown_parameter` / `invalid_parameter_value`) or under the form (409, …).
 */
export function RunWithParametersDialog({ module, slots, onClose, onStarted }: Props) {
  const run = useRunModule();
  const inputs = overridableSlots(slots);
  const [values, setValues] = useState(() => overrideFormValues(slots, module.parameter_bindings));
  const [mode, setMode] = useState<RunMode>('run');
  /** The values the refused request sent: a field changed since is no longer marked. */
  const [sent, setSent] = useState<Record<string, string>>({});
  const parameters = runOverrides(slots, module.parameter_bindings, values);
  const refused = overrideErrors(run.error, inputs.map((s) => s.name));
  const fieldError = (name: string) => (refused.fields[name] !== undefined && sent[name] === values[name] ? refused.fields[name] : undefined);
  const aggregating = module.aggregation != null;

  const start = (which: RunMode) => {
    setMode(which);
    setSent(values);
    run.mutate({ id: module.id, mode: which, parameters }, { onSuccess: (r) => onStarted(r, which, parameters) });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    start('run');
  };
  const hint = refusalHint(run.error, mode);

  return (
    <Dialog title="Run with parameters" onClose={onClose} wide>
      <form onSubmit={submit} data-testid="run-with-parameters">
        <p>
          Values for this {aggregating ? 'run or process' : 'run'} of <strong>{module.name}</strong> only: the module keeps its own
          values.{' '}
          {!aggregating && <span className="muted">(A module without aggregation is OutOfDate after such a run.)</span>}
        </p>
        {inputs.length === 0 ? (
          <p className="empty">The module type has no input parameters.</p>
        ) : (
          <table className="table agg-overrides">
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                <th scope="col">SQL type</th>
                <th scope="col">Module’s value</th>
                <th scope="col">This run</th>
              </tr>
            </thead>
            <tbody>
              {inputs.map((slot) => {
                const error = fieldError(slot.name);
                const own = module.parameter_bindings[slot.name];
                return (
                  <tr key={slot.name} className={error ? 'mod-row-invalid' : undefined}>
                    <td>
                      <code>{slot.name}</code>
                    </td>
                    <td>{slot.sql_type}</td>
                    <td className="mono">{own == null ? <span className="muted">(not set)</span> : own}</td>
                    <td>
                      <input
                        aria-label={`${slot.name} for this run`}
                        value={values[slot.name] ?? ''}
                        aria-invalid={error ? true : undefined}
                        aria-describedby={error ? `override-error-${slot.name}` : undefined}
                        className={error ? 'input-invalid' : undefined}
                        onChange={(e) => setValues({ ...values, [slot.name]: e.target.value })}
                      />
                      {slot.name in parameters && <span className="badge mt-agg-badge">changed</span>}
                      {error && (
                        <div className="field-error" id={`override-error-${slot.name}`} role="alert">
                          {error}
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {refused.rest && <FormErrors error={run.error} extra={hint ? [hint] : []} />}
        <div className="ds-modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          {aggregating && (
            <button type="button" className="btn" disabled={run.isPending} onClick={() => start('process')}>
              Process
            </button>
          )}
          <button type="submit" className="btn btn-primary" disabled={run.isPending}>
            Run
          </button>
        </div>
      </form>
    </Dialog>
  );
}
