import { describe, expect, it } from 'vitest';
import {
  ariaSort,
  cycleSort,
  DEFAULT_SORT,
  exportScope,
  exportUrl,
  filtersFromDrafts,
  FIRST_PAGE,
  nextPage,
  pageIndex,
  previousPage,
  rangeLabel,
  sameFilters,
} from './rowsState';

describe('cursor stack', () => {
  it('walks forward, back and to the first page', () => {
    const p2 = nextPage(FIRST_PAGE, 'c1');
    const p3 = nextPage(p2, 'c2');
    expect(p3).toEqual({ previous: [null, 'c1'], after: 'c2' });
    expect(pageIndex(p3)).toBe(2);
    expect(previousPage(p3)).toEqual(p2);
    expect(previousPage(p2)).toEqual(FIRST_PAGE);
    expect(previousPage(FIRST_PAGE)).toEqual(FIRST_PAGE);
    expect(pageIndex(FIRST_PAGE)).toBe(0);
  });
});

describe('rangeLabel', () => {
  it('counts rows of the current page', () => {
    expect(rangeLabel({ page: 0, pageSize: 100, rowsOnPage: 100, total: 2500, filtered: false })).toBe(
      'rows 1–100 of 2,500',
    );
    expect(rangeLabel({ page: 1, pageSize: 100, rowsOnPage: 100, total: 2500, filtered: false })).toBe(
      'rows 101–200 of 2,500',
    );
    expect(rangeLabel({ page: 24, pageSize: 100, rowsOnPage: 0, total: 2400, filtered: false })).toBe('No rows');
  });
  it('says the total is the version’s when filtered', () => {
    expect(rangeLabel({ page: 0, pageSize: 100, rowsOnPage: 7, total: 2500, filtered: true })).toBe(
      'rows 1–7 matching the filters (2,500 in this version)',
    );
    expect(rangeLabel({ page: 0, pageSize: 100, rowsOnPage: 0, total: 2500, filtered: true })).toBe(
      'No rows match the filters',
    );
  });
});

describe('cycleSort', () => {
  it('goes ascending, descending, then back to record order', () => {
    const asc = cycleSort(DEFAULT_SORT, 'year');
    expect(asc).toEqual({ sort: 'year', order: 'asc' });
    const desc = cycleSort(asc, 'year');
    expect(desc).toEqual({ sort: 'year', order: 'desc' });
    expect(cycleSort(desc, 'year')).toEqual(DEFAULT_SORT);
    expect(cycleSort(desc, 'fuel')).toEqual({ sort: 'fuel', order: 'asc' });
  });
  it('toggles record_id between ascending and descending', () => {
    const desc = cycleSort(DEFAULT_SORT, 'record_id');
    expect(desc).toEqual({ sort: 'record_id', order: 'desc' });
    expect(cycleSort(desc, 'record_id')).toEqual(DEFAULT_SORT);
  });
  it('gives aria-sort', () => {
    expect(ariaSort({ sort: 'year', order: 'desc' }, 'year')).toBe('descending');
    expect(ariaSort({ sort: 'year', order: 'asc' }, 'year')).toBe('ascending');
    expect(ariaSort({ sort: 'year', order: 'asc' }, 'fuel')).toBe('none');
  });
});

describe('filtersFromDrafts', () => {
  it('keeps columns with an operator and a value, in column order', () => {
    const drafts = {
      year: { op: 'ge' as const, value: '2020' },
      fuel: { op: 'contains' as const, value: 'coal' },
      comments: { op: 'is_null' as const, value: 'ignored' },
      pollutant: { op: 'eq' as const, value: '' },
      other: { op: '' as const, value: 'x' },
    };
    expect(filtersFromDrafts(drafts, ['fuel', 'pollutant', 'year', 'comments', 'other'])).toEqual([
      { column: 'fuel', op: 'contains', value: 'coal' },
      { column: 'year', op: 'ge', value: '2020' },
      { column: 'comments', op: 'is_null', value: '' },
    ]);
  });
  it('compares filter lists', () => {
    const a = [{ column: 'x', op: 'eq' as const, value: '1' }];
    expect(sameFilters(a, [{ column: 'x', op: 'eq', value: '1' }])).toBe(true);
    expect(sameFilters(a, [{ column: 'x', op: 'eq', value: '2' }])).toBe(false);
    expect(sameFilters(a, [])).toBe(false);
  });
});

describe('export of what is shown (issue 14 #13)', () => {
  it('puts the active filters and sort into the export request', () => {
    expect(exportUrl(7, 0, DEFAULT_SORT, [])).toBe('/api/datasets/7/export?version=0');
    expect(exportScope(DEFAULT_SORT, [])).toBe('Exports the whole version.');
    const filters = [
      { column: 'year', op: 'ge' as const, value: '2021' },
      { column: 'comments', op: 'is_null' as const, value: '' },
    ];
    const url = exportUrl(7, 2, { sort: 'year', order: 'desc' }, filters);
    expect(url).toBe('/api/datasets/7/export?version=2&sort=year&order=desc&filter=year%3Age%3A2021&filter=comments%3Ais_null');
    expect(exportScope({ sort: 'year', order: 'desc' }, filters)).toBe('Exports the rows matching the filters, in the order shown.');
    expect(exportScope(DEFAULT_SORT, filters)).toBe('Exports the rows matching the filters.');
  });
});
