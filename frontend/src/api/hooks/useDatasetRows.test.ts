import { describe, expect, it } from 'vitest';
import { buildUrl } from '../client';
import { rowsQueryParams, serializeFilter } from './useDatasetRows';

describe('rows query', () => {
  it('serializes filters as column:op:value', () => {
    expect(serializeFilter({ column: 'year', op: 'ge', value: '2020' })).toBe('year:ge:2020');
    expect(serializeFilter({ column: 'comments', op: 'contains', value: 'a:b' })).toBe('comments:contains:a:b');
    expect(serializeFilter({ column: 'comments', op: 'is_null', value: 'x' })).toBe('comments:is_null');
  });

  it('leaves defaults out and repeats filter', () => {
    const base = { version: 2, limit: 100, after: null, sort: 'record_id', order: 'asc' as const, filters: [] };
    expect(buildUrl('/api/datasets/5/rows', rowsQueryParams(base))).toBe('/api/datasets/5/rows?version=2&limit=100');
    const full = {
      ...base,
      after: 'WyIxIiwgMV0',
      sort: 'year',
      order: 'desc' as const,
      filters: [
        { column: 'year', op: 'ge' as const, value: '2020' },
        { column: 'fuel_type', op: 'contains' as const, value: 'coal gas' },
      ],
    };
    expect(buildUrl('/api/datasets/5/rows', rowsQueryParams(full))).toBe(
      '/api/datasets/5/rows?version=2&limit=100&after=WyIxIiwgMV0&sort=year&order=desc' +
        '&filter=year%3Age%3A2020&filter=fuel_type%3Acontains%3Acoal+gas',
    );
    expect(rowsQueryParams({ ...base, order: 'desc' })).toMatchObject({ sort: 'record_id', order: 'desc' });
  });
});
