/**
 * An aggregation version's three SQL fields in the Version Editor (pure; docs/aggregation.md §1): what
 * each does, the default written out for the draft's slots (shown as the editor's placeholder text),
 * which validation errors belong to which field, and what completion offers (the slots plus `${state}`).
 */
import type { AggregationSqlField, DatasetType, ValidationError } from '../../api/types';
import type { VersionDraft } from './draft';
import type { PlaceholderSlots } from './sql/completion';

export interface AggregationFieldInfo {
  field: AggregationSqlField;
  label: string;
  /** What the field does, and what happens when it is empty. */
  help: string;
}

export const AGGREGATION_FIELDS: readonly AggregationFieldInfo[] = [
  {
    field: 'aggregate_sql',
    label: 'Aggregate',
    help: 'Run mode: what is done with the input. ${state} starts as the current state. Empty: append the input rows to the state.',
  },
  {
    field: 'process_sql',
    label: 'Process',
    help: 'Process mode: what is written to the output from the whole ${state}. Empty: copy every state row, in the order they were added.',
  },
  {
    field: 'clear_sql',
    label: 'Clear',
    help: 'Process mode, after Process (same transaction): what is left in ${state}. Empty: the state is emptied.',
  },
];

/** The state placeholder (reserved: no slot may be named so). */
export const STATE_PLACEHOLDER = 'state';

/** The draft's one IN and one OUT dataset slot, when it has exactly those (else null). */
function aggregationSlots(draft: Pick<VersionDraft, 'dataset_slots'>) {
  const ins = draft.dataset_slots.filter((s) => s.mode === 'IN');
  const outs = draft.dataset_slots.filter((s) => s.mode === 'OUT');
  return ins.length === 1 && outs.length === 1 ? { input: ins[0], output: outs[0] } : null;
}

/**
 * The defaults written out for this draft (the contract's: IN slot `data`, OUT slot `result`, columns
 * `c1, c2` → `INSERT INTO ${state} (c1, c2) SELECT c1, c2 FROM ${data};` …), as the editors' placeholder.
 */
export function aggregationDefaults(
  draft: Pick<VersionDraft, 'dataset_slots'>,
  datasetTypes: readonly Pick<DatasetType, 'id' | 'columns'>[],
): Record<AggregationSqlField, string> {
  const slots = aggregationSlots(draft);
  const input = slots?.input.placeholder.trim() || '<IN slot>';
  const output = slots?.output.placeholder.trim() || '<OUT slot>';
  const type = slots ? datasetTypes.find((t) => t.id === slots.input.dataset_type) : undefined;
  const columns = type && type.columns.length ? type.columns.map((c) => c.name).join(', ') : '<columns>';
  return {
    aggregate_sql: `-- Default: INSERT INTO \${${STATE_PLACEHOLDER}} (${columns}) SELECT ${columns} FROM \${${input}};`,
    process_sql: `-- Default: INSERT INTO \${${output}} (${columns}) SELECT ${columns} FROM \${${STATE_PLACEHOLDER}} ORDER BY record_id;`,
    clear_sql: `-- Default: DELETE FROM \${${STATE_PLACEHOLDER}};`,
  };
}

/** The errors that point into `field` (null: the algorithm, i.e. errors that name no field). */
export function errorsOfField(errors: readonly ValidationError[], field: AggregationSqlField | null): ValidationError[] {
  return errors.filter((e) => (e.field ?? null) === field);
}

/** Completion in an aggregation field: the draft's slots, and `${state}` (of the IN slot's dataset type). */
export function aggregationCompletionSlots(slots: PlaceholderSlots, draft: Pick<VersionDraft, 'dataset_slots'>): PlaceholderSlots {
  const input = aggregationSlots(draft)?.input;
  const type = input ? slots.datasets.find((d) => d.name === input.placeholder.trim())?.type : undefined;
  return {
    ...slots,
    datasets: [
      ...slots.datasets,
      { name: STATE_PLACEHOLDER, mode: 'INOUT', type, description: "The aggregation's state, kept across runs of a module." },
    ],
  };
}

/** Shown with an error in the Validation panel: which SQL field its line and column are in. */
export function fieldLabel(field: AggregationSqlField | null | undefined): string | null {
  return AGGREGATION_FIELDS.find((f) => f.field === field)?.label ?? null;
}
