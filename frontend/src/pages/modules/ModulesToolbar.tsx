import type { ModuleListParams, ModuleType, ProjectMembership } from '../../api/types';
import { IdFilterSelect, useDebouncedText } from '../../components/ListFilters';

interface Props {
  params: ModuleListParams;
  onChange: (params: ModuleListParams) => void;
  projects: ProjectMembership[];
  moduleTypes: ModuleType[];
}

function flagValue(value: boolean | null | undefined): string {
  return value === true ? 'true' : value === false ? 'false' : '';
}

function parseFlag(value: string): boolean | null {
  return value === 'true' ? true : value === 'false' ? false : null;
}

/** The Module Manager's search and filters (every filter of the API, combinable). */
export function ModulesToolbar({ params, onChange, projects, moduleTypes }: Props) {
  const [search, setSearch] = useDebouncedText(params, 'search', onChange);
  const [tag, setTag] = useDebouncedText(params, 'tag', onChange);
  const [creator, setCreator] = useDebouncedText(params, 'creator', onChange);
  const [lockOwner, setLockOwner] = useDebouncedText(params, 'lock_owner', onChange);
  const selectedType = moduleTypes.find((t) => t.id === params.module_type);
  const more = !!(params.tag || params.creator || params.lock_owner || params.modified_after || params.modified_before || params.type_version);

  return (
    <div className="mod-toolbar" role="search">
      <div className="ds-toolbar">
        <input
          type="search"
          aria-label="Search modules"
          placeholder="Search by name or description"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <select
          aria-label="Status"
          value={params.status ?? ''}
          onChange={(e) => onChange({ ...params, status: (e.target.value || null) as ModuleListParams['status'] })}
        >
          <option value="">Any status</option>
          <option value="UpToDate">UpToDate</option>
          <option value="OutOfDate">OutOfDate</option>
        </select>
        <select
          aria-label="Composite"
          value={flagValue(params.composite)}
          onChange={(e) => onChange({ ...params, composite: parseFlag(e.target.value) })}
        >
          <option value="">Simple and composite</option>
          <option value="false">Simple</option>
          <option value="true">Composite</option>
        </select>
        <select aria-label="Final" value={flagValue(params.final)} onChange={(e) => onChange({ ...params, final: parseFlag(e.target.value) })}>
          <option value="">Final or not</option>
          <option value="true">Final</option>
          <option value="false">Not final</option>
        </select>
        <IdFilterSelect
          label="Project"
          allLabel="All projects"
          options={projects}
          value={params.project}
          onChange={(project) => onChange({ ...params, project })}
        />
        <IdFilterSelect
          label="Module type"
          allLabel="All module types"
          options={moduleTypes}
          value={params.module_type}
          onChange={(module_type) => onChange({ ...params, module_type, type_version: null })}
        />
      </div>
      <details className="mod-more-filters" open={more}>
        <summary>More filters</summary>
        <div className="ds-toolbar">
          <select
            aria-label="Module type version"
            value={params.type_version ?? ''}
            disabled={!selectedType}
            onChange={(e) => onChange({ ...params, type_version: e.target.value ? Number(e.target.value) : null })}
          >
            <option value="">All versions</option>
            {selectedType?.versions.map((v) => (
              <option key={v.id} value={v.id}>
                v{v.number} {v.name}
              </option>
            ))}
          </select>
          <input aria-label="Tag" placeholder="Tag" value={tag} onChange={(e) => setTag(e.target.value)} />
          <input aria-label="Creator" placeholder="Creator (username)" value={creator} onChange={(e) => setCreator(e.target.value)} />
          <input
            aria-label="Lock owner"
            placeholder="Locked by (username)"
            value={lockOwner}
            onChange={(e) => setLockOwner(e.target.value)}
          />
          <label className="ds-inline-field">
            Modified after
            <input
              type="date"
              value={params.modified_after ?? ''}
              onChange={(e) => onChange({ ...params, modified_after: e.target.value })}
            />
          </label>
          <label className="ds-inline-field">
            Modified before
            <input
              type="date"
              value={params.modified_before ?? ''}
              onChange={(e) => onChange({ ...params, modified_before: e.target.value })}
            />
          </label>
        </div>
      </details>
    </div>
  );
}
