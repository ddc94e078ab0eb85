import { describe, expect, it } from 'vitest';
import { moduleListQuery } from '../../api/hooks/useModules';
import { isFiltered, moduleListParamsToSearch, parseModuleListParams } from './listParams';

describe('Module Manager filters', () => {
  it('reads every filter of the contract from the URL and writes it back unchanged', () => {
    const qs =
      'search=factors&composite=false&final=true&tag=demo&project=1&module_type=2&type_version=3&creator=modeler' +
      '&status=OutOfDate&lock_owner=admin&modified_after=2024-01-01&modified_before=2024-12-31';
    const params = parseModuleListParams(new URLSearchParams(qs));
    expect(params).toEqual({
      search: 'factors',
      composite: false,
      final: true,
      tag: 'demo',
      project: 1,
      module_type: 2,
      type_version: 3,
      creator: 'modeler',
      status: 'OutOfDate',
      lock_owner: 'admin',
      modified_after: '2024-01-01',
      modified_before: '2024-12-31',
    });
    expect(moduleListParamsToSearch(params).toString()).toBe(qs);
    expect(isFiltered(params)).toBe(true);
  });

  it('drops what is not a valid value, so a plain /modules stays plain', () => {
    const params = parseModuleListParams(
      new URLSearchParams('project=abc&status=Stale&composite=maybe&modified_after=yesterday&search=%20%20'),
    );
    expect(params.project).toBeNull();
    expect(params.status).toBeNull();
    expect(params.composite).toBeNull();
    expect(params.modified_after).toBe('');
    expect(moduleListParamsToSearch(params).toString()).toBe('');
    expect(isFiltered(params)).toBe(false);
  });

  it('sends the API only the filters that are set, false flags included', () => {
    expect(moduleListQuery({ search: ' ef ', composite: false, final: null, project: null, status: 'UpToDate', tag: '' })).toEqual({
      search: 'ef',
      composite: 'false',
      status: 'UpToDate',
    });
    expect(moduleListQuery({})).toEqual({});
  });
});
