import { describe, expect, it } from 'vitest';
import type { CompositeGraph } from '../../api/types';
import {
  bindInput,
  bindOutputNew,
  bindOutputReplace,
  changesFrom,
  draftFromModule,
  draftProblems,
  internalItems,
  isDirty,
  setKeep,
  setParameter,
  unbind,
} from './draft';
import { moduleFixture, typeVersionFixture } from './testSupport';

const tv = typeVersionFixture();

describe('module draft', () => {
  it('starts equal to the module and sends nothing when unchanged', () => {
    const base = draftFromModule(moduleFixture());
    expect(isDirty(base, base)).toBe(false);
    expect(changesFrom(base, { ...base, tags: ' demo ,demo' })).toEqual({});
  });

  it('sends a deadline as typed, and null when it is cleared', () => {
    const base = draftFromModule({ ...moduleFixture(), deadline_seconds: 30 });
    expect(base.deadline).toBe('30');
    expect(changesFrom(base, { ...base, deadline: ' 30 ' })).toEqual({});
    expect(changesFrom(base, { ...base, deadline: '5' })).toEqual({ deadline_seconds: '5' });
    expect(changesFrom(base, { ...base, deadline: 'abc' })).toEqual({ deadline_seconds: 'abc' });
    expect(changesFrom(base, { ...base, deadline: '' })).toEqual({ deadline_seconds: null });
  });

  it('binds an input to a dataset and a version, or the latest (null)', () => {
    const base = draftFromModule(moduleFixture());
    const latest = bindInput(base, 'input_emission_factors_dataset', 8, null);
    expect(latest.dataset_bindings.input_emission_factors_dataset).toEqual({ dataset: 8, version: null });
    expect(changesFrom(base, latest).dataset_bindings?.input_emission_factors_dataset).toEqual({ dataset: 8, version: null });
    const cleared = bindInput(base, 'input_emission_factors_dataset', null, null);
    expect(cleared.dataset_bindings).not.toHaveProperty('input_emission_factors_dataset');
    expect(draftProblems(cleared, tv.dataset_slots, tv.parameter_slots)).toEqual(['input_emission_factors_dataset: choose a dataset.']);
  });

  it('OUT: NEW needs a name pattern, REPLACE a target', () => {
    const base = draftFromModule(moduleFixture());
    const blank = bindOutputNew(base, 'output_emission_factors_dataset', '  ');
    expect(draftProblems(blank, tv.dataset_slots, tv.parameter_slots)).toEqual(['output_emission_factors_dataset: a NEW output needs a name pattern.']);
    const replace = bindOutputReplace(base, 'output_emission_factors_dataset', null);
    expect(replace.dataset_bindings.output_emission_factors_dataset).toEqual({ output_method: 'REPLACE' });
    expect(draftProblems(replace, tv.dataset_slots, tv.parameter_slots)).toEqual([
      'output_emission_factors_dataset: choose the dataset to replace.',
    ]);
    const target = bindOutputReplace(base, 'output_emission_factors_dataset', 12);
    expect(target.dataset_bindings.output_emission_factors_dataset).toEqual({ output_method: 'REPLACE', dataset: 12 });
    expect(draftProblems(target, tv.dataset_slots, tv.parameter_slots)).toEqual([]);
    expect(draftProblems(unbind(base, 'output_emission_factors_dataset'), tv.dataset_slots, tv.parameter_slots)).toEqual([
      'output_emission_factors_dataset: choose NEW or REPLACE.',
    ]);
  });

  it('keeps an empty-string value apart from not set', () => {
    const base = draftFromModule(moduleFixture({ parameter_bindings: { increase_factor: null } }));
    expect(base.parameter_bindings).toEqual({});
    expect(draftProblems(base, tv.dataset_slots, tv.parameter_slots)).toEqual(['increase_factor: set a value.']);
    const empty = setParameter(base, 'increase_factor', '');
    expect(empty.parameter_bindings).toEqual({ increase_factor: '' });
    expect(draftProblems(empty, tv.dataset_slots, tv.parameter_slots)).toEqual([]);
    expect(changesFrom(base, empty)).toEqual({ parameter_bindings: { increase_factor: '' } });
    expect(setParameter(empty, 'increase_factor', null).parameter_bindings).toEqual({});
  });

  it('sends only changed metadata, tags parsed', () => {
    const base = draftFromModule(moduleFixture());
    const next = { ...base, name: ' New name ', tags: 'a, b, a,', project: 4 };
    expect(changesFrom(base, next)).toEqual({ name: 'New name', tags: ['a', 'b'], project: 4 });
    expect(draftProblems({ ...base, name: ' ' }, [], [])).toEqual(['The module needs a name.']);
  });

  it('keep flags toggle and stay sorted', () => {
    const base = draftFromModule(moduleFixture());
    const kept = setKeep(setKeep(base, 'datasets', 'b.out', true), 'datasets', 'a.out', true);
    expect(kept.keep_internal.datasets).toEqual(['a.out', 'b.out']);
    expect(changesFrom(base, kept)).toEqual({ keep_internal: { datasets: ['a.out', 'b.out'], parameters: [] } });
    expect(setKeep(kept, 'datasets', 'a.out', false).keep_internal.datasets).toEqual(['b.out']);
  });
});

describe('internal datasets and parameters of a composite', () => {
  it('are submodule outputs read by another submodule', () => {
    const graph: CompositeGraph = {
      submodules: [
        { id: 1, name: 'scale', version: 3, position: { x: 0, y: 0 } },
        { id: 2, name: 'filter', version: 4, position: { x: 0, y: 0 } },
        { id: 3, name: 'sum', version: 5, position: { x: 0, y: 0 } },
      ],
      connections: [
        { kind: 'dataset', source: { submodule: null, slot: 'input' }, target: { submodule: 1, slot: 'in' } },
        { kind: 'dataset', source: { submodule: 1, slot: 'out' }, target: { submodule: 2, slot: 'in' } },
        { kind: 'dataset', source: { submodule: 1, slot: 'out' }, target: { submodule: 3, slot: 'in' } },
        { kind: 'parameter', source: { submodule: 2, slot: 'count' }, target: { submodule: 3, slot: 'n' } },
        { kind: 'dataset', source: { submodule: 3, slot: 'out' }, target: { submodule: null, slot: 'result' } },
      ],
    };
    const items = internalItems(graph);
    expect(items.datasets).toEqual([{ key: 'scale.out', submodule: 'scale', slot: 'out', consumers: ['filter', 'sum'] }]);
    expect(items.parameters).toEqual([{ key: 'filter.count', submodule: 'filter', slot: 'count', consumers: ['sum'] }]);
    expect(internalItems({})).toEqual({ datasets: [], parameters: [] });
  });
});
