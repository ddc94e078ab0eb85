/** Steering a progressive submodule from the Run view (pure): which parameters, their values, what changed. */
import type { ParameterSlot, RunParameterRecord, StepParameterRecord, SteeringRecord } from '../../../api/types';
import type { PartialLive } from '../live';

/** Only IN parameters of progressive submodules can be steered (docs/progressive.md). */
export function steerableSlots(slots: readonly ParameterSlot[] | undefined): ParameterSlot[] {
  return (slots ?? []).filter((s) => s.mode === 'IN');
}

/** The step's IN parameters from its own record (name, SQL type), when the record lists them. */
export function slotsFromStep(parameters: readonly StepParameterRecord[] | undefined): ParameterSlot[] {
  return (parameters ?? [])
    .filter((p) => p.mode === 'IN')
    .map((p) => ({ name: p.name, sql_type: p.sql_type, mode: 'IN' as const, is_optional: p.input_value == null, description: '' }));
}

/**
 * The values the submodule runs with, as text: the run's recorded input values (the step's own when
 * recorded, else the run's for this path), then every steering
 * change of this path in order; a histogram's bin count from its partial result when nothing says it.
 */
export function currentValues(
  path: string,
  slots: readonly ParameterSlot[],
  parameters: readonly RunParameterRecord[],
  steering: readonly SteeringRecord[],
  partial?: PartialLive | null,
  stepParameters: readonly StepParameterRecord[] = [],
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const s of slots) values[s.name] = '';
  for (const p of parameters) if (p.path === path && p.name in values && p.input_value != null) values[p.name] = p.input_value;
  for (const p of stepParameters) if (p.name in values && p.input_value != null) values[p.name] = p.input_value;
  for (const r of steering) {
    if (r.path !== path) continue;
    for (const [name, value] of Object.entries(r.parameters)) if (name in values) values[name] = value ?? '';
  }
  if ('bins' in values && !values.bins && partial?.kind === 'histogram' && Array.isArray(partial.result.counts)) {
    values.bins = String((partial.result.counts as unknown[]).length);
  }
  return values;
}

/** What to send: the fields whose text differs from the current values (trimmed). */
export function changedParameters(current: Record<string, string>, draft: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(draft)) {
    const text = value.trim();
    if (text !== (current[name] ?? '').trim()) out[name] = text;
  }
  return out;
}

/** "bins = 16, min = 0" for the steering history. */
export function describeChange(parameters: Record<string, string>): string {
  const entries = Object.entries(parameters);
  if (entries.length === 0) return '(no change)';
  return entries.map(([k, v]) => `${k} = ${v === '' ? '(unset)' : v}`).join(', ');
}
