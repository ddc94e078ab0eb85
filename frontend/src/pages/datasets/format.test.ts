import { describe, expect, it } from 'vitest';
import { latestVersionLabel } from './format';

describe('latestVersionLabel', () => {
  it('names the highest version and its rows', () => {
    expect(latestVersionLabel([])).toBe('No versions');
    expect(
      latestVersionLabel([
        { number: 0, row_count: 8 },
        { number: 2, row_count: 2500 },
        { number: 1, row_count: 1 },
      ]),
    ).toBe('v2 · 2,500 rows');
    expect(latestVersionLabel([{ number: 0, row_count: 1 }])).toBe('v0 · 1 row');
  });
});
