/** The Dataset Manager's filters live in the URL (`?search=&project=&type=&removed=true`). */
import type { DatasetListParams } from '../../api/types';

function id(value: string | null): number | null {
  return value && /^\d+$/.test(value) ? Number(value) : null;
}

export function parseListParams(search: URLSearchParams): DatasetListParams {
  return {
    search: search.get('search')?.trim() ?? '',
    project: id(search.get('project')),
    type: id(search.get('type')),
    removed: search.get('removed') === 'true',
  };
}

/** Only the filters that are set, so a plain /datasets stays plain. */
export function listParamsToSearch(params: DatasetListParams): URLSearchParams {
  const out = new URLSearchParams();
  if (params.search) out.set('search', params.search);
  if (params.project != null) out.set('project', String(params.project));
  if (params.type != null) out.set('type', String(params.type));
  if (params.removed) out.set('removed', 'true');
  return out;
}
