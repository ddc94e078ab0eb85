import { useEffect, useRef, useState } from 'react';
import type { DatasetListParams, DatasetType, ProjectMembership } from '../../api/types';

interface Props {
  params: DatasetListParams;
  onChange: (params: DatasetListParams) => void;
  projects: ProjectMembership[];
  types: DatasetType[];
  showRemovedToggle: boolean;
}

const SEARCH_DELAY_MS = 300;

/** Search (debounced into the URL), project and type filters, and the admins' "Removed" toggle. */
export function DatasetsToolbar({ params, onChange, projects, types, showRemovedToggle }: Props) {
  const [search, setSearch] = useState(params.search ?? '');
  const current = params.search ?? '';
  // The value this box last wrote to the URL: a different one came from elsewhere (Back, a link).
  const written = useRef(current);

  useEffect(() => {
    if (current === written.current) return;
    written.current = current;
    setSearch(current);
  }, [current]);

  useEffect(() => {
    const wanted = search.trim();
    if (wanted === written.current) return;
    const timer = setTimeout(() => {
      written.current = wanted;
      onChange({ ...params, search: wanted });
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search, params, onChange]);

  return (
    <div className="ds-toolbar" role="search">
      <input
        type="search"
        aria-label="Search datasets"
        placeholder="Search by name"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      <select
        aria-label="Project"
        value={params.project ?? ''}
        onChange={(e) => onChange({ ...params, project: e.target.value ? Number(e.target.value) : null })}
      >
        <option value="">All projects</option>
        {projects.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <select
        aria-label="Dataset type"
        value={params.type ?? ''}
        onChange={(e) => onChange({ ...params, type: e.target.value ? Number(e.target.value) : null })}
      >
        <option value="">All types</option>
        {types.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      {showRemovedToggle && (
        <label className="ds-checkbox">
          <input
            type="checkbox"
            checked={!!params.removed}
            onChange={(e) => onChange({ ...params, removed: e.target.checked })}
          />
          Removed
        </label>
      )}
    </div>
  );
}
