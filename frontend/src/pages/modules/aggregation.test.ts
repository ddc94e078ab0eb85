import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client';
import type { AggregationSummary, ParameterSlot } from '../../api/types';
import {
  aggregationEvent,
  listWithAggregation,
  overrideErrors,
  overrideFormValues,
  overridesText,
  pendingBadge,
  pendingText,
  refusalHint,
  runOverrides,
  stateRowsLink,
  submoduleLabel,
  withAggregation,
} from './aggregation';
import { aggregationFixture } from './testSupport';

const twoRuns = aggregationFixture(true);
const empty: AggregationSummary = {
  ...aggregationFixture(false),
  submodules: [{ ...aggregationFixture(false).submodules[0]!, dataset: null, state_version: null, last_run: null, last_process: null }],
};

const slot = (name: string, mode: ParameterSlot['mode'] = 'IN'): ParameterSlot => ({ name, sql_type: 'bigint', mode, is_optional: false, description: '' });
const slots = [slot('request'), slot('val'), slot('total', 'OUT'), slot('label', 'INOUT')];

describe('process pending', () => {
  it('says it as the status reason does (plural and singular)', () => {
    expect(pendingText(twoRuns)).toBe('2 runs (2 rows) aggregated since the last process.');
    expect(pendingText({ runs: 1, rows: 1 })).toBe('1 run (1 row) aggregated since the last process.');
    expect(pendingBadge(twoRuns)).toEqual({ label: 'Process pending', title: 'A process is pending: 2 runs (2 rows) aggregated since the last process.' });
    expect(pendingBadge(empty)).toBeNull();
    expect(pendingBadge(null)).toBeNull();
    expect(pendingBadge(undefined)).toBeNull();
  });

  it('links a state to its rows at the state version, not before the first run', () => {
    expect(stateRowsLink(twoRuns.submodules[0]!)).toBe('/datasets/41?tab=rows&version=2');
    expect(stateRowsLink(empty.submodules[0]!)).toBeNull();
    expect(submoduleLabel({ path: '', name: '' })).toBe('(the module)');
    expect(submoduleLabel({ path: 'agg_mod', name: 'agg_mod' })).toBe('agg_mod');
  });
});

describe('aggregation_changed', () => {
  const event = { topic: 'module:1', seq: 4, type: 'aggregation_changed', data: { module: 1, aggregation: empty } };

  it('patches the module it names, and only that one', () => {
    const module = { id: 1, aggregation: twoRuns };
    expect(withAggregation(module, event)).toEqual({ id: 1, aggregation: empty });
    const other = { id: 2, aggregation: twoRuns };
    expect(withAggregation(other, event)).toBe(other);
    expect(withAggregation(module, { ...event, type: 'status' })).toBe(module);
    expect(aggregationEvent({ ...event, data: { module: 1 } })).toBeNull();
  });

  it('patches the Module Manager’s row (pending goes after a process), the same list otherwise', () => {
    const list = [
      { id: 1, aggregation: twoRuns },
      { id: 2, aggregation: null },
    ];
    const next = listWithAggregation(list, event);
    expect(next.map((m) => pendingBadge(m.aggregation))).toEqual([null, null]);
    expect(next[1]).toBe(list[1]);
    expect(listWithAggregation(list, { ...event, data: { module: 9, aggregation: empty } })).toBe(list);
  });
});

describe('run with parameters', () => {
  const bindings = { request: '10', val: '11' };

  it('starts from the module’s values of IN and INOUT parameters', () => {
    expect(overrideFormValues(slots, bindings)).toEqual({ request: '10', val: '11', label: '' });
  });

  it('sends only what differs from the module’s values', () => {
    expect(runOverrides(slots, bindings, { request: '10', val: '11', label: '' })).toEqual({});
    expect(runOverrides(slots, bindings, { request: '20', val: '11', label: '' })).toEqual({ request: '20' });
    // A parameter the module does not set counts once it has a value; '' on a set one is a value too.
    expect(runOverrides(slots, bindings, { request: '', val: '11', label: 'x' })).toEqual({ request: '', label: 'x' });
    // OUT parameters take no value.
    expect(runOverrides(slots, bindings, { total: '3' })).toEqual({});
    expect(overridesText({ request: '20', val: '7' })).toBe('request = 20, val = 7');
  });

  it('puts 400 refusals on the fields they name; anything else stays under the form', () => {
    const invalid = new ApiError(400, 'invalid_parameter_value', "Parameter request: 'ten' is not a bigint.", {
      parameters: { request: "'ten' is not a bigint." },
    });
    expect(overrideErrors(invalid, ['request', 'val'])).toEqual({ fields: { request: "'ten' is not a bigint." }, rest: false });
    const unknown = new ApiError(400, 'unknown_parameter', 'nope: the module type has no such input parameter.', {
      parameters: { nope: 'no such input parameter.' },
    });
    expect(overrideErrors(unknown, ['request'])).toEqual({ fields: {}, rest: true });
    const busy = new ApiError(409, 'already_running', 'Run 3 of this module has not finished.', { run: 3 });
    expect(overrideErrors(busy, ['request'])).toEqual({ fields: {}, rest: true });
    expect(overrideErrors(null, ['request'])).toEqual({ fields: {}, rest: false });
  });

  it('says what to do about a refused run or process', () => {
    expect(refusalHint(new ApiError(409, 'already_running', 'x'), 'process')).toMatch(/^A run or process of this module has not finished: process again/);
    expect(refusalHint(new ApiError(400, 'no_aggregation', 'x'), 'process')).toMatch(/no aggregation submodule/);
    expect(refusalHint(new ApiError(400, 'invalid', 'x'), 'run')).toBeNull();
    expect(refusalHint(new Error('x'), 'run')).toBeNull();
  });
});
