import { describe, expect, it } from 'vitest';
import type { ModuleComparison } from '../../api/types';
import { groupBySection, parseComparePair, resultClass, resultCounts, swapComparison, visibleRows } from './compare';

const cmp: ModuleComparison = {
  first: { id: 1, name: 'A' },
  second: { id: 2, name: 'B' },
  rows: [
    { section: 'parameters', key: 'increase_factor', first: '1.15', second: '1.2', result: 'DIFFERENT' },
    { section: 'summary', key: 'name', first: 'A', second: 'B', result: 'DIFFERENT' },
    { section: 'summary', key: 'module type', first: 'Scale v0', second: 'Scale v0', result: 'MATCH' },
    { section: 'datasets', key: 'extra_input', first: 'EF 2016 v0', second: null, result: 'FIRST ONLY' },
    { section: 'other', key: 'x', first: null, second: 'y', result: 'SECOND ONLY' },
  ],
};

describe('Compare', () => {
  it('swaps sides, values and the ONLY results; twice is the original', () => {
    const swapped = swapComparison(cmp);
    expect(swapped.first.name).toBe('B');
    expect(swapped.rows[0]).toEqual({ section: 'parameters', key: 'increase_factor', first: '1.2', second: '1.15', result: 'DIFFERENT' });
    expect(swapped.rows[3].result).toBe('SECOND ONLY');
    expect(swapped.rows[3].second).toBe('EF 2016 v0');
    expect(swapped.rows[4].result).toBe('FIRST ONLY');
    expect(swapComparison(swapped)).toEqual(cmp);
  });

  it('shows only differences on request', () => {
    expect(visibleRows(cmp.rows, false)).toHaveLength(5);
    expect(visibleRows(cmp.rows, true).map((r) => r.key)).toEqual(['increase_factor', 'name', 'extra_input', 'x']);
  });

  it('groups rows in the EMF section order, unknown sections last', () => {
    expect(groupBySection(cmp.rows).map(([s, rows]) => [s, rows.length])).toEqual([
      ['summary', 2],
      ['datasets', 1],
      ['parameters', 1],
      ['other', 1],
    ]);
  });

  it('lists final results (rows result.<path>.<key>) after the parameters, before unknown sections', () => {
    const rows = [
      { section: 'other', key: 'x', first: null, second: 'y', result: 'SECOND ONLY' as const },
      { section: 'results', key: 'result.hist.counts', first: '[1, 2]', second: '[1, 3]', result: 'DIFFERENT' as const },
      { section: 'results', key: 'result.max.values.x', first: '9.5', second: '9.5', result: 'MATCH' as const },
      { section: 'parameters', key: 'bins', first: '2', second: '2', result: 'MATCH' as const },
    ];
    expect(groupBySection(rows).map(([s, list]) => [s, list.map((r) => r.key)])).toEqual([
      ['parameters', ['bins']],
      ['results', ['result.hist.counts', 'result.max.values.x']],
      ['other', ['x']],
    ]);
    expect(visibleRows(rows, true).map((r) => r.key)).toEqual(['x', 'result.hist.counts']);
  });

  it('lists the aggregation rows (docs/aggregation.md) after the internal parameters, before the results', () => {
    const rows = [
      { section: 'results', key: 'result.hist.counts', first: '[1]', second: '[1]', result: 'MATCH' as const },
      { section: 'aggregation', key: 'Process Pending', first: 'yes', second: 'no', result: 'DIFFERENT' as const },
      { section: 'aggregation', key: 'agg_mod / Runs Pending', first: '2', second: '0', result: 'DIFFERENT' as const },
      { section: 'internal parameters', key: 'reg_mod.val', first: '11', second: '11', result: 'MATCH' as const },
    ];
    expect(groupBySection(rows).map(([s, list]) => [s, list.map((r) => r.key)])).toEqual([
      ['internal parameters', ['reg_mod.val']],
      ['aggregation', ['Process Pending', 'agg_mod / Runs Pending']],
      ['results', ['result.hist.counts']],
    ]);
  });

  it('counts results and names their classes', () => {
    expect(resultCounts(cmp.rows)).toEqual({ MATCH: 1, DIFFERENT: 2, 'FIRST ONLY': 1, 'SECOND ONLY': 1 });
    expect(resultClass('FIRST ONLY')).toBe('mod-cmp-first-only');
  });

  it('reads the pair from the URL', () => {
    expect(parseComparePair(new URLSearchParams('first=4&second=9'))).toEqual({ first: 4, second: 9 });
    expect(parseComparePair(new URLSearchParams('first=x'))).toEqual({ first: null, second: null });
  });
});
