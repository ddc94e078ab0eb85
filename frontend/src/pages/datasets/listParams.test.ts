import { describe, expect, it } from 'vitest';
import { listParamsToSearch, parseListParams } from './listParams';

describe('list params', () => {
  it('parses the URL, ignoring bad ids', () => {
    expect(parseListParams(new URLSearchParams('search=+coal+&project=2&type=x&removed=true'))).toEqual({
      search: 'coal',
      project: 2,
      type: null,
      removed: true,
    });
    expect(parseListParams(new URLSearchParams(''))).toEqual({ search: '', project: null, type: null, removed: false });
  });
  it('writes only what is set', () => {
    expect(listParamsToSearch({ search: '', project: null, type: 3, removed: false }).toString()).toBe('type=3');
    expect(listParamsToSearch({ search: 'a b', project: 1, type: null, removed: true }).toString()).toBe(
      'search=a+b&project=1&removed=true',
    );
  });
});
