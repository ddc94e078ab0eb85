import { describe, expect, it } from 'vitest';
import { keywordsToRows, rowsToKeywords } from './keywords';

describe('keywords', () => {
  it('round-trips a map through rows', () => {
    const keywords = { SOURCE: 'EPA', REGION: 'EU' };
    expect(rowsToKeywords(keywordsToRows(keywords))).toEqual({ keywords, errors: [] });
    expect(keywordsToRows(null)).toEqual([]);
  });
  it('skips blank rows, trims names, keeps values as typed', () => {
    expect(rowsToKeywords([{ key: ' A ', value: ' x ' }, { key: '', value: '  ' }])).toEqual({
      keywords: { A: ' x ' },
      errors: [],
    });
  });
  it('refuses a value without a name, duplicates and long names', () => {
    const { errors } = rowsToKeywords([
      { key: '', value: 'orphan' },
      { key: 'A', value: '1' },
      { key: 'A', value: '2' },
      { key: 'n'.repeat(101), value: '' },
    ]);
    expect(errors).toEqual([
      'Keyword 1 needs a name.',
      'Keyword A appears twice.',
      'Keyword 4: names are at most 100 characters.',
    ]);
  });
});
