import type { DatasetListParams, DatasetType, ProjectMembership } from '../../api/types';
import { IdFilterSelect, useDebouncedText } from '../../components/ListFilters';

interface Props {
  params: DatasetListParams;
  onChange: (params: DatasetListParams) => void;
  projects: ProjectMembership[];
  types: DatasetType[];
  showRemovedToggle: boolean;
}

/** Search (debounced into the URL), project and type filters, and the admins' "Removed" toggle. */
export function DatasetsToolbar({ params, onChange, projects, types, showRemovedToggle }: Props) {
  const [search, setSearch] = useDebouncedText(params, 'search', onChange);

  return (
    <div className="ds-toolbar" role="search">
      <input
        type="search"
        aria-label="Search datasets"
        placeholder="Search by name"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      <IdFilterSelect
        label="Project"
        allLabel="All projects"
        options={projects}
        value={params.project}
        onChange={(project) => onChange({ ...params, project })}
      />
      <IdFilterSelect
        label="Dataset type"
        allLabel="All types"
        options={types}
        value={params.type}
        onChange={(type) => onChange({ ...params, type })}
      />
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
