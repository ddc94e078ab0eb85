import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useModuleTypeVersion } from '../../../api/hooks/useModuleTypeVersion';
import { useSteerRun } from '../../../api/hooks/useSteerRun';
import type { ParameterSlot, RunParameterRecord, StepParameterRecord, SteeringRecord } from '../../../api/types';
import { FormErrors } from '../../../components/FormErrors';
import type { PartialLive } from '../live';
import { changedParameters, currentValues, describeChange, slotsFromStep, steerableSlots } from './steering';

interface Props {
  runId: number;
  path: string;
  typeVersion: number;
  parameters: RunParameterRecord[];
  /** The step's own recorded parameters (they win over the run's). */
  stepParameters?: StepParameterRecord[];
  steering: SteeringRecord[];
  partial?: PartialLive | null;
  /** The run is going: sending is allowed. */
  running: boolean;
}

/**
 * Steer one progressive submodule: its IN parameters, sent as POST /api/runs/{id}/steer. A refusal
 * stays next to the form (until the next send), even once the run has ended.
 */
export function SteeringForm(props: Props) {
  // The step's record lists its parameters; the type version (fetched only when it does not) says them otherwise.
  const fromStep = useMemo(() => slotsFromStep(props.stepParameters), [props.stepParameters]);
  return fromStep.length ? <SteeringFormBody {...props} slots={fromStep} /> : <SteeringFormFromVersion {...props} />;
}

function SteeringFormFromVersion(props: Props) {
  const version = useModuleTypeVersion(props.typeVersion);
  const slots = useMemo(() => steerableSlots(version.data?.version.parameter_slots), [version.data]);
  return <SteeringFormBody {...props} slots={slots} />;
}

function SteeringFormBody({ runId, path, parameters, stepParameters, steering, partial, running, slots }: Props & { slots: ParameterSlot[] }) {
  const current = useMemo(
    () => currentValues(path, slots, parameters, steering, partial, stepParameters),
    [path, slots, parameters, steering, partial, stepParameters],
  );
  const [draft, setDraft] = useState<Record<string, string>>({});
  const steer = useSteerRun(runId);
  const [sent, setSent] = useState<{ parameters: Record<string, string>; applied: boolean } | null>(null);
  const [nothing, setNothing] = useState(false);
  const steeredCount = useRef(steering.length);

  // A `steered` event for this path after a send: the change was applied.
  useEffect(() => {
    if (steering.length > steeredCount.current && sent && !sent.applied && steering.slice(steeredCount.current).some((r) => r.path === path)) {
      setSent({ ...sent, applied: true });
    }
    steeredCount.current = steering.length;
  }, [steering, sent, path]);

  if (slots.length === 0) return null;
  const value = (name: string) => draft[name] ?? current[name] ?? '';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const change = changedParameters(current, { ...current, ...draft });
    if (Object.keys(change).length === 0) {
      setNothing(true);
      return;
    }
    setNothing(false);
    steer.mutate(
      { path, parameters: change },
      {
        onSuccess: () => {
          setSent({ parameters: change, applied: false });
          setDraft({});
        },
      },
    );
  };

  return (
    <form className="prog-steer" onSubmit={submit} aria-label={`Steer ${path || 'the module'}`} data-testid={`steer-${path || 'module'}`}>
      <fieldset disabled={!running || steer.isPending}>
        <legend>Steer</legend>
        <div className="prog-steer-fields">
          {slots.map((s) => (
            <label key={s.name} className="prog-steer-field">
              <span>
                {s.name} <span className="muted">{s.sql_type}</span>
              </span>
              <input
                name={s.name}
                value={value(s.name)}
                placeholder={s.is_optional ? 'automatic' : ''}
                title={s.description || undefined}
                onChange={(e) => setDraft((d) => ({ ...d, [s.name]: e.target.value }))}
                size={s.sql_type === 'integer' ? 6 : 10}
              />
            </label>
          ))}
          <button type="submit" className="btn btn-small btn-primary">
            Apply
          </button>
        </div>
      </fieldset>
      {!running && <p className="muted">Steering is possible while the run is going.</p>}
      {nothing && <p className="muted">Nothing changed.</p>}
      {steer.isError ? (
        <div data-testid="steer-error">
          <FormErrors error={steer.error} />
        </div>
      ) : (
        sent && (
          <p className="muted" role="status" data-testid="steer-status">
            {sent.applied ? 'Applied' : 'Sent, applied between two steps'}: {describeChange(sent.parameters)}
          </p>
        )
      )}
    </form>
  );
}
