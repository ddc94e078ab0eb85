/**
 * A module's aggregation state in the Module Editor and the Module Manager (pure; docs/aggregation.md
 * §2–§5): the "process pending" mark, the `aggregation_changed` event applied to a module and to the
 * list, a run's own parameter values (the "Run with parameters…" form) and the refusals of a run.
 */
import { isApiError } from '../../api/client';
import type { AggregationSubmodule, AggregationSummary, Module, ParameterSlot } from '../../api/types';
import type { LiveEvent } from '../../live/socket';

export type RunMode = 'run' | 'process';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "2 runs (2 rows) aggregated since the last process." — the status reason's own words. */
export function pendingText(summary: Pick<AggregationSummary, 'runs' | 'rows'>): string {
  return `${plural(summary.runs, 'run')} (${plural(summary.rows, 'row')}) aggregated since the last process.`;
}

/** The Module Manager's and the editor's mark: null when no process is pending (or no aggregation). */
export function pendingBadge(summary: AggregationSummary | null | undefined): { label: string; title: string } | null {
  if (!summary?.pending) return null;
  return { label: 'Process pending', title: `A process is pending: ${pendingText(summary)}` };
}

/** Where the browser shows a state's rows: the dataset's Rows tab at the state version (null before a run). */
export function stateRowsLink(sub: Pick<AggregationSubmodule, 'dataset' | 'state_version'>): string | null {
  if (sub.dataset == null || sub.state_version == null) return null;
  return `/datasets/${sub.dataset}?tab=rows&version=${sub.state_version}`;
}

/** A submodule's path as people read it: "" is the module itself. */
export function submoduleLabel(sub: Pick<AggregationSubmodule, 'path' | 'name'>): string {
  return sub.path === '' ? '(the module)' : sub.name || sub.path;
}

interface AggregationEvent {
  module: number;
  aggregation: AggregationSummary | null;
}

/** The `aggregation_changed` event's data, or null when it is not one. */
export function aggregationEvent(event: LiveEvent): AggregationEvent | null {
  if (event.type !== 'aggregation_changed') return null;
  const data = event.data as Partial<AggregationEvent> | null;
  if (!data || typeof data.module !== 'number' || data.aggregation === undefined) return null;
  return { module: data.module, aggregation: data.aggregation };
}

/** The event applied to a module (the same object when it is about another one). */
export function withAggregation<M extends Pick<Module, 'id' | 'aggregation'>>(module: M, event: LiveEvent): M {
  const found = aggregationEvent(event);
  return found && found.module === module.id ? { ...module, aggregation: found.aggregation } : module;
}

/** The event applied to the Module Manager's list (the same array when no row changed). */
export function listWithAggregation<M extends Pick<Module, 'id' | 'aggregation'>>(list: M[], event: LiveEvent): M[] {
  const found = aggregationEvent(event);
  if (!found || !list.some((m) => m.id === found.module)) return list;
  return list.map((m) => withAggregation(m, event));
}

// ------------------------------------------------------------------------- run with parameters

/** The parameters a run may be given values for: IN and INOUT (their values reach every SQL field). */
export function overridableSlots(slots: readonly ParameterSlot[]): ParameterSlot[] {
  return slots.filter((s) => s.mode !== 'OUT');
}

/** The form's starting values: the module's own (unset: ''). */
export function overrideFormValues(slots: readonly ParameterSlot[], bindings: Module['parameter_bindings']): Record<string, string> {
  return Object.fromEntries(overridableSlots(slots).map((s) => [s.name, bindings[s.name] ?? '']));
}

/**
 * The body's `parameters`: the values that differ from the module's (a value the module does not set
 * counts when it is not empty). The module is not changed; only this run uses them.
 */
export function runOverrides(
  slots: readonly ParameterSlot[],
  bindings: Module['parameter_bindings'],
  values: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const slot of overridableSlots(slots)) {
    const value = values[slot.name];
    if (value === undefined) continue;
    const own = bindings[slot.name];
    if (own == null ? value !== '' : value !== own) out[slot.name] = value;
  }
  return out;
}

/** "request = 10, val = 11" (for the notice after the run started). */
export function overridesText(parameters: Record<string, string>): string {
  return Object.entries(parameters)
    .map(([name, value]) => `${name} = ${value}`)
    .join(', ');
}

/**
 * A refused run's messages by parameter (400 `unknown_parameter` / `invalid_parameter_value`,
 * `details.parameters = {name: sentence}`), for the fields of the form; `rest` says what no field shows.
 */
export function overrideErrors(error: unknown, fields: readonly string[]): { fields: Record<string, string>; rest: boolean } {
  if (!isApiError(error) || (error.code !== 'unknown_parameter' && error.code !== 'invalid_parameter_value')) {
    return { fields: {}, rest: error != null };
  }
  const parameters = (error.details as { parameters?: unknown } | null)?.parameters;
  const found: Record<string, string> = {};
  let rest = false;
  if (parameters && typeof parameters === 'object') {
    for (const [name, message] of Object.entries(parameters as Record<string, unknown>)) {
      if (fields.includes(name)) found[name] = String(message);
      else rest = true;
    }
  }
  return { fields: found, rest: rest || Object.keys(found).length === 0 };
}

/** Why a run or a process was refused, in words that say what to do (409 and 400 are never silent). */
export function refusalHint(error: unknown, mode: RunMode): string | null {
  if (!isApiError(error)) return null;
  if (error.code === 'already_running') {
    return `A run or process of this module has not finished: ${mode === 'process' ? 'process' : 'run'} again once it has (they take turns, so a process never loses what a run adds).`;
  }
  if (error.code === 'no_aggregation') return 'This module has no aggregation submodule: there is no state to process.';
  return null;
}
