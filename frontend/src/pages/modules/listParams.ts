/** The Module Manager's filters live in the URL with the API's own names (docs/modules-api.md). */
import type { ModuleListParams, ModuleStatusName } from '../../api/types';

function id(value: string | null): number | null {
  return value && /^\d+$/.test(value) ? Number(value) : null;
}

function flag(value: string | null): boolean | null {
  return value === 'true' ? true : value === 'false' ? false : null;
}

function isoDate(value: string | null): string {
  return value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : '';
}

function status(value: string | null): ModuleStatusName | null {
  return value === 'UpToDate' || value === 'OutOfDate' ? value : null;
}

export function parseModuleListParams(search: URLSearchParams): ModuleListParams {
  const text = (key: string) => search.get(key)?.trim() ?? '';
  return {
    search: text('search'),
    composite: flag(search.get('composite')),
    final: flag(search.get('final')),
    tag: text('tag'),
    project: id(search.get('project')),
    module_type: id(search.get('module_type')),
    type_version: id(search.get('type_version')),
    creator: text('creator'),
    status: status(search.get('status')),
    lock_owner: text('lock_owner'),
    modified_after: isoDate(search.get('modified_after')),
    modified_before: isoDate(search.get('modified_before')),
  };
}

/** Only the filters that are set, in a fixed order, so a plain /modules stays plain. */
export function moduleListParamsToSearch(params: ModuleListParams): URLSearchParams {
  const out = new URLSearchParams();
  const put = (key: keyof ModuleListParams) => {
    const value = params[key];
    if (value === null || value === undefined || value === '') return;
    out.set(key, String(value).trim());
  };
  (
    [
      'search',
      'composite',
      'final',
      'tag',
      'project',
      'module_type',
      'type_version',
      'creator',
      'status',
      'lock_owner',
      'modified_after',
      'modified_before',
    ] as const
  ).forEach(put);
  return out;
}

/** Whether any filter narrows the list (for "no match" vs "no modules yet"). */
export function isFiltered(params: ModuleListParams): boolean {
  return moduleListParamsToSearch(params).toString() !== '';
}
