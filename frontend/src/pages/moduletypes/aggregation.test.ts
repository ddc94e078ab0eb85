import { describe, expect, it } from 'vitest';
import type { ValidationError } from '../../api/types';
import { aggregationCompletionSlots, aggregationDefaults, errorsOfField, fieldLabel } from './aggregation';
import { completionSlots, type VersionDraft } from './draft';

const slot = (placeholder: string, mode: 'IN' | 'OUT' | 'INOUT', dataset_type = 7) => ({
  placeholder,
  mode,
  dataset_type,
  is_optional: false,
  description: '',
});
const draft: VersionDraft = {
  name: 'v',
  description: '',
  is_aggregation: true,
  dataset_slots: [slot('data', 'IN'), slot('result', 'OUT')],
  parameter_slots: [],
  algorithm: '',
  aggregate_sql: '',
  process_sql: '',
  clear_sql: '',
};
const types = [{ id: 7, columns: [{ name: 'c1', sql_type: 'bigint' }, { name: 'c2', sql_type: 'text' }] }];

describe('aggregation SQL fields', () => {
  it("writes the contract's defaults out for the draft's slots and columns", () => {
    expect(aggregationDefaults(draft, types)).toEqual({
      aggregate_sql: '-- Default: INSERT INTO ${state} (c1, c2) SELECT c1, c2 FROM ${data};',
      process_sql: '-- Default: INSERT INTO ${result} (c1, c2) SELECT c1, c2 FROM ${state} ORDER BY record_id;',
      clear_sql: '-- Default: DELETE FROM ${state};',
    });
  });

  it('says what is missing when the slots are not one IN and one OUT', () => {
    const two = aggregationDefaults({ dataset_slots: [slot('a', 'IN'), slot('b', 'IN'), slot('r', 'OUT')] }, types);
    expect(two.aggregate_sql).toBe('-- Default: INSERT INTO ${state} (<columns>) SELECT <columns> FROM ${<IN slot>};');
    expect(two.process_sql).toContain('${<OUT slot>}');
  });

  it('puts each error on its field; errors naming no field are the algorithm’s', () => {
    const errors: ValidationError[] = [
      { code: 'unknown_placeholder', message: 'Unknown placeholder ${nope}', line: 2, column: 5, field: 'process_sql' },
      { code: 'syntax_error', message: 'Syntax error', line: 1, column: 1, field: 'aggregate_sql' },
      { code: 'aggregation_slots', message: 'Exactly one IN dataset slot.' },
    ];
    expect(errorsOfField(errors, 'process_sql').map((e) => e.code)).toEqual(['unknown_placeholder']);
    expect(errorsOfField(errors, 'aggregate_sql').map((e) => e.code)).toEqual(['syntax_error']);
    expect(errorsOfField(errors, 'clear_sql')).toEqual([]);
    expect(errorsOfField(errors, null).map((e) => e.code)).toEqual(['aggregation_slots']);
    expect(fieldLabel('process_sql')).toBe('Process');
    expect(fieldLabel(undefined)).toBeNull();
  });

  it('offers ${state} (of the IN slot’s type) with the slots in completion', () => {
    const slots = aggregationCompletionSlots(completionSlots(draft, [{ id: 7, name: 'Values' }]), draft);
    expect(slots.datasets.map((d) => d.name)).toEqual(['data', 'result', 'state']);
    expect(slots.datasets[2]).toMatchObject({ mode: 'INOUT', type: 'Values' });
  });
});
