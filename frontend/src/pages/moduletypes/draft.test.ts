import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client';
import {
  completionSlots,
  draftFromVersion,
  draftsEqual,
  mergeUsedBy,
  newDatasetSlot,
  newParameterSlot,
  rebaseDraft,
  slotNameErrors,
  slotProblems,
  updateBody,
  usedByFromError,
  validationBody,
} from './draft';
import { typeVersion } from '../../test/fixtures';
import slotNameRules from './slotNameRules.json';

describe('version draft', () => {
  const draft = draftFromVersion(typeVersion());

  it('is equal to itself and not after an edit', () => {
    expect(draftsEqual(draft, draftFromVersion(typeVersion()))).toBe(true);
    expect(draftsEqual(draft, { ...draft, algorithm: 'x' })).toBe(false);
  });
  it('sends the algorithm for simple types and the graph for composites, with the note', () => {
    const simple = updateBody('simple', draft, null, ' Fixed it ');
    expect(simple).toMatchObject({ algorithm: draft.algorithm, revision_note: 'Fixed it', name: 'Initial Version' });
    expect(simple).not.toHaveProperty('graph');
    expect(simple).not.toHaveProperty('confirm_dependents');
    const graph = { submodules: [], connections: [] };
    const composite = updateBody('composite', draft, graph, 'n', true);
    expect(composite.graph).toBe(graph);
    expect(composite).not.toHaveProperty('algorithm');
    expect(composite.confirm_dependents).toBe(true);
  });
  it('validates the draft, not the saved version', () => {
    expect(validationBody('simple', { ...draft, algorithm: 'SELECT 2' }, null)).toEqual({
      algorithm: 'SELECT 2',
      dataset_slots: draft.dataset_slots,
      parameter_slots: draft.parameter_slots,
      is_aggregation: false,
      aggregate_sql: '',
      process_sql: '',
      clear_sql: '',
    });
    expect(validationBody('composite', draft, { submodules: [], connections: [] })).toHaveProperty('graph');
  });
  it("sends an aggregation version's own SQL (docs/aggregation.md), to save and to validate", () => {
    const agg = { ...draft, is_aggregation: true, process_sql: 'INSERT INTO ${result} (value) SELECT sum(value) FROM ${state};' };
    expect(updateBody('simple', agg, null, '')).toMatchObject({ is_aggregation: true, aggregate_sql: '', process_sql: agg.process_sql, clear_sql: '' });
    expect(validationBody('simple', agg, null)).toMatchObject({ is_aggregation: true, process_sql: agg.process_sql });
    expect(draftFromVersion({ ...typeVersion(), is_aggregation: true, clear_sql: 'DELETE FROM ${state};' })).toMatchObject({
      is_aggregation: true,
      aggregate_sql: '',
      clear_sql: 'DELETE FROM ${state};',
    });
    expect(updateBody('composite', agg, { submodules: [], connections: [] }, '')).not.toHaveProperty('process_sql');
  });
  it('gives completion the current slots, with type names', () => {
    const slots = completionSlots({ ...draft, parameter_slots: [...draft.parameter_slots, newParameterSlot(draft)] }, [{ id: 1, name: 'Emission Factors' }]);
    expect(slots.datasets).toEqual([{ name: 'input_ds', mode: 'IN', type: 'Emission Factors', description: '' }]);
    expect(slots.parameters.map((p) => p.name)).toEqual(['factor', 'param_1']);
  });
  it('names new slots uniquely', () => {
    expect(newDatasetSlot(draft, 4)).toEqual({ placeholder: 'dataset_1', mode: 'IN', dataset_type: 4, is_optional: false, description: '' });
    const more = { ...draft, dataset_slots: [...draft.dataset_slots, newDatasetSlot(draft, 4)] };
    expect(newDatasetSlot(more, 4).placeholder).toBe('dataset_2');
  });
  it('finds slot names the server would refuse', () => {
    const bad = {
      ...draft,
      dataset_slots: [...draft.dataset_slots, { ...draft.dataset_slots[0]!, placeholder: 'user' }, { ...draft.dataset_slots[0]!, placeholder: '1x' }],
      parameter_slots: [{ ...draft.parameter_slots[0]!, name: 'INPUT_DS' }],
    };
    expect(slotProblems(bad)).toEqual([
      "Invalid dataset placeholder name 'user': it is reserved for the general placeholders ${user.*}.",
      "Invalid dataset placeholder name '1x': use letters, digits and underscores, start with a letter or an underscore, at most 58 characters.",
      "Duplicate parameter name 'INPUT_DS'.",
    ]);
    expect(slotProblems(draft)).toEqual([]);
  });
  it('reads who uses a version from a 409', () => {
    const error = new ApiError(409, 'has_dependents', 'In use', { modules: [{ id: 1, name: 'M' }], composites: [{ id: 9, module_type_name: 'C', number: 0 }] });
    expect(usedByFromError(error)).toEqual({ modules: [{ id: 1, name: 'M' }], composites: [{ id: 9, module_type_name: 'C', number: 0 }] });
    expect(usedByFromError(new ApiError(412, 'precondition_failed', 'x'))).toBeNull();
    expect(usedByFromError(new Error('x'))).toBeNull();
    expect(mergeUsedBy([{ modules: [{ id: 1, name: 'M' }], composites: [] }, null, { modules: [{ id: 1, name: 'M' }], composites: [] }]).modules).toHaveLength(1);
  });
});

describe('rebaseDraft', () => {
  it('keeps the fields I changed and takes the others from their version', () => {
    const base = draftFromVersion(typeVersion());
    const mine = { ...base, name: 'Mine', algorithm: 'PERFORM 1;' };
    const theirs = { ...base, description: 'Theirs', algorithm: 'PERFORM 2;' };
    expect(rebaseDraft(mine, base, theirs)).toEqual({ ...base, name: 'Mine', description: 'Theirs', algorithm: 'PERFORM 1;' });
    expect(rebaseDraft(base, base, theirs)).toEqual(theirs);
  });
});

describe('slot names follow the engine (one source: apps/engine/placeholders.py)', () => {
  // slotNameRules.json is made by tests/engine/test_slot_name_rules.py from the engine's own answers.
  it.each(slotNameRules.vectors.map((v) => [v.dataset_placeholders.join(',') + ' | ' + v.parameters.join(','), v] as const))(
    'answers as the engine for %s',
    (_, vector) => {
      expect(slotNameErrors(vector.dataset_placeholders, vector.parameters)).toEqual(vector.errors);
    },
  );
});
