import { CompletionContext, type Completion } from '@codemirror/autocomplete';
import { PostgreSQL, sql } from '@codemirror/lang-sql';
import { EditorState } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import {
  algorithmCompletionSource,
  DATASET_ATTRIBUTES,
  PARAMETER_ATTRIBUTES,
  placeholderCompletionSource,
  placeholderOptions,
  placeholderPosition,
  type PlaceholderSlots,
} from './completion';

const slots: PlaceholderSlots = {
  datasets: [
    { name: 'input_factors', mode: 'IN', type: 'Emission Factors' },
    { name: 'output_factors', mode: 'OUT', type: 'Emission Factors' },
  ],
  parameters: [{ name: 'increase_factor', mode: 'IN', type: 'double precision' }],
};

function complete(text: string, current: PlaceholderSlots = slots, explicit = false) {
  const cursor = text.indexOf('|');
  const doc = text.replace('|', '');
  const state = EditorState.create({ doc, extensions: [sql({ dialect: PostgreSQL })] });
  const context = new CompletionContext(state, cursor < 0 ? doc.length : cursor, explicit);
  const result = placeholderCompletionSource(() => current)(context);
  if (result && 'then' in result) throw new Error('expected a synchronous result');
  return result;
}

const labels = (options: readonly Completion[] | undefined) => (options ?? []).map((o) => o.label);

describe('placeholderPosition', () => {
  it('finds an unfinished placeholder before the cursor', () => {
    expect(placeholderPosition('SELECT * FROM ${')).toEqual({ sigil: '$', name: null, from: 16, typed: '' });
    expect(placeholderPosition('x ${inp')).toEqual({ sigil: '$', name: null, from: 4, typed: 'inp' });
    expect(placeholderPosition('x ${input.ta')).toEqual({ sigil: '$', name: 'input', from: 10, typed: 'ta' });
    expect(placeholderPosition('#{p.')).toEqual({ sigil: '#', name: 'p', from: 4, typed: '' });
  });
  it('is null outside placeholders and after a closed one', () => {
    expect(placeholderPosition('SELECT 1')).toBeNull();
    expect(placeholderPosition('${input}')).toBeNull();
    expect(placeholderPosition('${input} x')).toBeNull();
    expect(placeholderPosition('$ {')).toBeNull();
  });
});

describe('placeholderOptions', () => {
  it('offers the declared datasets and the general namespaces after ${', () => {
    const options = placeholderOptions({ sigil: '$', name: null, from: 0, typed: '' }, slots);
    expect(options.map((o) => o.label)).toEqual(['input_factors', 'output_factors', 'user.', 'module.', 'run.']);
    expect(options[0]).toMatchObject({ insert: 'input_factors}', reopen: false });
    expect(options.find((o) => o.label === 'user.')).toMatchObject({ insert: 'user.', reopen: true });
  });
  it('does not add a closing brace when one follows', () => {
    const options = placeholderOptions({ sigil: '$', name: null, from: 0, typed: '' }, slots, true);
    expect(options[0]?.insert).toBe('input_factors');
  });
  it('offers the dataset attributes after ${dataset.', () => {
    const options = placeholderOptions({ sigil: '$', name: 'input_factors', from: 0, typed: '' }, slots);
    expect(options.map((o) => o.label)).toEqual(DATASET_ATTRIBUTES.map(([a]) => a));
    expect(options.map((o) => o.label)).toEqual([
      'table_name',
      'dataset_name',
      'dataset_id',
      'version',
      'view',
      'mode',
      'output_method',
      'is_optional',
      'is_set',
    ]);
  });
  it('offers the general placeholders after ${user. ${module. ${run.', () => {
    const at = (name: string) => placeholderOptions({ sigil: '$', name, from: 0, typed: '' }, slots).map((o) => o.label);
    expect(at('user')).toEqual(['full_name', 'id', 'account_name']);
    expect(at('module')).toEqual(['name', 'id', 'final', 'project_name']);
    expect(at('run')).toEqual(['id', 'date', 'time']);
    expect(at('USER')).toEqual(['full_name', 'id', 'account_name']);
  });
  it('offers parameters after #{ and their attributes after #{p.', () => {
    expect(placeholderOptions({ sigil: '#', name: null, from: 0, typed: '' }, slots).map((o) => o.label)).toEqual(['increase_factor']);
    const attrs = placeholderOptions({ sigil: '#', name: 'increase_factor', from: 0, typed: '' }, slots).map((o) => o.label);
    expect(attrs).toEqual(PARAMETER_ATTRIBUTES.map(([a]) => a));
    expect(attrs).toEqual(['sql_type', 'mode', 'input_value', 'is_optional', 'is_set']);
  });
  it('offers nothing for undeclared names', () => {
    expect(placeholderOptions({ sigil: '$', name: 'nope', from: 0, typed: '' }, slots)).toEqual([]);
    expect(placeholderOptions({ sigil: '#', name: 'input_factors', from: 0, typed: '' }, slots)).toEqual([]);
    // user is not a parameter namespace
    expect(placeholderOptions({ sigil: '#', name: 'user', from: 0, typed: '' }, slots)).toEqual([]);
  });
});

describe('placeholderCompletionSource', () => {
  it('completes after ${ from the position after the brace', () => {
    const result = complete('SELECT * FROM ${|');
    expect(result?.from).toBe(16);
    expect(labels(result?.options)).toContain('input_factors');
    expect(labels(result?.options)).toContain('run.');
  });
  it('replaces the typed part of the name', () => {
    const result = complete('SELECT * FROM ${inp|');
    expect(result?.from).toBe(16);
    expect(result?.validFor).toBeInstanceOf(RegExp);
  });
  it('completes attributes after the dot, on any line', () => {
    const result = complete('SELECT 1;\nSELECT ${input_factors.|');
    expect(labels(result?.options)).toContain('table_name');
    expect(result?.from).toBe('SELECT 1;\nSELECT ${input_factors.'.length);
    expect(labels(complete('x := #{increase_factor.|')?.options)).toContain('input_value');
    expect(labels(complete('x := ${run.|')?.options)).toEqual(['id', 'date', 'time']);
  });
  it('follows the current slots (unsaved edits)', () => {
    let current: PlaceholderSlots = { datasets: [], parameters: [] };
    const state = EditorState.create({ doc: '${', extensions: [sql({ dialect: PostgreSQL })] });
    const source = placeholderCompletionSource(() => current);
    const run = () => source(new CompletionContext(state, 2, false)) as { options: Completion[] } | null;
    expect(labels(run()?.options)).toEqual(['user.', 'module.', 'run.']);
    current = { datasets: [{ name: 'fresh' }], parameters: [] };
    expect(labels(run()?.options)).toEqual(['fresh', 'user.', 'module.', 'run.']);
  });
  it('offers nothing in comments or outside placeholders', () => {
    expect(complete('-- see ${|')).toBeNull();
    expect(complete('/* ${| */')).toBeNull();
    expect(complete('SELECT |')).toBeNull();
    expect(complete('${nope.|')).toBeNull();
  });
  it('does not treat #{ as a comment in PostgreSQL', () => {
    expect(labels(complete('SELECT #{|')?.options)).toEqual(['increase_factor']);
  });
  it('leaves SQL keywords to the keyword source outside placeholders', () => {
    const state = EditorState.create({ doc: 'SEL', extensions: [sql({ dialect: PostgreSQL })] });
    const result = algorithmCompletionSource(() => slots)(new CompletionContext(state, 3, true)) as { options: Completion[] } | null;
    expect(labels(result?.options)).toContain('SELECT');
    const inside = EditorState.create({ doc: '${', extensions: [sql({ dialect: PostgreSQL })] });
    const r2 = algorithmCompletionSource(() => slots)(new CompletionContext(inside, 2, false)) as { options: Completion[] } | null;
    expect(labels(r2?.options)).toContain('input_factors');
    expect(labels(r2?.options)).not.toContain('SELECT');
  });
});
