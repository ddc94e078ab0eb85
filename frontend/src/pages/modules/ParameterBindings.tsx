import type { ParameterSlot, RunParameterRecord } from '../../api/types';
import { setParameter, type ModuleDraft } from './draft';
import { showValue } from './format';

interface Props {
  slots: ParameterSlot[];
  draft: ModuleDraft;
  onChange: (draft: ModuleDraft) => void;
  readOnly: boolean;
  /** The last run's values, shown only when it succeeded (EMF). */
  lastRunParameters: RunParameterRecord[] | null;
  /** {parameter name: why its value is refused} (parameterErrors): the field is marked and says why. */
  errors?: Record<string, string>;
}

/** Parameter values: "Set" distinguishes a value (even the empty string) from no value at all. */
export function ParameterBindings({ slots, draft, onChange, readOnly, lastRunParameters, errors = {} }: Props) {
  if (slots.length === 0) return <p className="empty">The module type has no parameters.</p>;
  const outputOf = (name: string) => lastRunParameters?.find((p) => p.name === name && !p.path);
  return (
    <table className="table mod-bindings" data-testid="parameter-bindings">
      <thead>
        <tr>
          <th scope="col">Parameter</th>
          <th scope="col">SQL type</th>
          <th scope="col">Mode</th>
          <th scope="col">Set</th>
          <th scope="col">Value</th>
          <th scope="col">Last output value</th>
        </tr>
      </thead>
      <tbody>
        {slots.map((slot) => {
          const isSet = slot.name in draft.parameter_bindings;
          const value = draft.parameter_bindings[slot.name] ?? '';
          const takesValue = slot.mode !== 'OUT';
          const output = outputOf(slot.name);
          const error = takesValue ? errors[slot.name] : undefined;
          return (
            <tr key={slot.name} data-testid={`parameter-${slot.name}`} className={error ? 'mod-row-invalid' : undefined}>
              <td>
                <code>{slot.name}</code>
                {slot.is_optional && <span className="muted"> (optional)</span>}
                {slot.description && <div className="muted mt-cell-note">{slot.description}</div>}
              </td>
              <td>{slot.sql_type}</td>
              <td>{slot.mode}</td>
              <td>
                {takesValue && (
                  <input
                    type="checkbox"
                    aria-label={`${slot.name} is set`}
                    checked={isSet}
                    disabled={readOnly}
                    onChange={(e) => onChange(setParameter(draft, slot.name, e.target.checked ? value : null))}
                  />
                )}
              </td>
              <td>
                {takesValue ? (
                  <>
                    <input
                      aria-label={`Value of ${slot.name}`}
                      value={value}
                      placeholder={isSet ? '(empty string)' : '(not set)'}
                      disabled={readOnly}
                      aria-invalid={error ? true : undefined}
                      aria-describedby={error ? `parameter-error-${slot.name}` : undefined}
                      className={error ? 'input-invalid' : undefined}
                      onChange={(e) => onChange(setParameter(draft, slot.name, e.target.value))}
                    />
                    {error && (
                      <div className="field-error" id={`parameter-error-${slot.name}`} role="alert">
                        {error}
                      </div>
                    )}
                  </>
                ) : (
                  <span className="muted">output</span>
                )}
              </td>
              <td>{output && slot.mode !== 'IN' ? <span className="mono">{showValue(output.output_value)}</span> : <span className="muted">—</span>}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
