import { useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useMe } from '../api/hooks/useMe';
import { useModuleTypes } from '../api/hooks/useModuleTypes';
import type { ModuleType, ModuleTypeCreate, ModuleTypeKind } from '../api/types';
import { ErrorPanel } from '../components/ErrorPanel';
import { formatDateTime } from '../format';
import { LockIcon } from '../components/LockIcon';
import { lockHolderName } from '../live/editLock';
import { writableProjects } from '../permissions';
import { filterModuleTypes, latestVersion, parseFinalParam } from './moduletypes/list';
import { NewModuleTypeDialog } from './moduletypes/NewModuleTypeDialog';
import { canRemoveType, isBuiltInType } from './moduletypes/permissions';
import { ReadOnlyMark } from './moduletypes/ReadOnlyMark';
import { RemoveTypeDialog } from './moduletypes/RemoveTypeDialog';

/** EMF's Module Type Manager: every module type the user can see. */
export function ModuleTypesPage() {
  const { data: me } = useMe();
  const navigate = useNavigate();
  const [searchParams, setSearchParams] = useSearchParams();
  const search = searchParams.get('search') ?? '';
  const kindParam = searchParams.get('kind');
  const kind: ModuleTypeKind | null =
    kindParam === 'simple' || kindParam === 'composite' || kindParam === 'progressive' ? kindParam : null;
  const final = parseFinalParam(searchParams.get('final'));
  const types = useModuleTypes({ search, kind, final });
  const [creating, setCreating] = useState<ModuleTypeCreate['kind'] | null>(null);
  const [removing, setRemoving] = useState<ModuleType | null>(null);
  const writable = writableProjects(me);
  const admin = canRemoveType(me);

  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(searchParams);
    if (value) next.set(key, value);
    else next.delete(key);
    setSearchParams(next, { replace: true });
  };
  // The server filters; filtering again here keeps the list right while a new query runs.
  const shown = useMemo(() => filterModuleTypes(types.data ?? [], search, kind, final), [types.data, search, kind, final]);

  return (
    <div className="page">
      <div className="page-header">
        <h1>Module Types</h1>
        <p className="muted">Module Type Manager</p>
        {writable.length > 0 && (
          <div className="ds-page-actions">
            <button type="button" className="btn btn-primary" onClick={() => setCreating('simple')}>
              New simple type
            </button>
            <button type="button" className="btn" onClick={() => setCreating('composite')}>
              New composite type
            </button>
          </div>
        )}
      </div>

      <div className="ds-toolbar">
        <input
          type="search"
          placeholder="Search name, description, tags…"
          aria-label="Search module types"
          value={search}
          onChange={(e) => setParam('search', e.target.value)}
        />
        <select aria-label="Kind" value={kind ?? ''} onChange={(e) => setParam('kind', e.target.value)}>
          <option value="">All kinds</option>
          <option value="simple">Simple</option>
          <option value="composite">Composite</option>
          <option value="progressive">Progressive (built-in)</option>
        </select>
        <select aria-label="Final" value={final === null ? '' : String(final)} onChange={(e) => setParam('final', e.target.value)}>
          <option value="">Final or not</option>
          <option value="true">With a final version</option>
          <option value="false">Without a final version</option>
        </select>
      </div>

      {types.isError && !types.data ? (
        <ErrorPanel title="Could not load the module types" error={types.error} onRetry={() => void types.refetch()} />
      ) : types.isPending ? (
        <p className="muted">Loading…</p>
      ) : shown.length === 0 ? (
        <p className="empty">
          {search || kind || final !== null ? 'No module type matches these filters.' : 'No module types yet. Module types you can use will be listed here.'}
        </p>
      ) : (
        <table className="table" data-testid="module-types-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Latest version</th>
              <th scope="col">Final</th>
              <th scope="col">Last modified</th>
              <th scope="col">Creator</th>
              <th scope="col">Tags</th>
              <th scope="col">Being edited by</th>
              <th scope="col" aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {shown.map((t) => {
              const latest = latestVersion(t);
              return (
                <tr key={t.id} data-testid={`module-type-${t.name}`}>
                  <td>
                    <Link to={`/module-types/${t.id}`}>{t.name}</Link>
                    {t.description && <div className="muted mt-cell-note">{t.description}</div>}
                  </td>
                  <td>
                    {t.kind}
                    {isBuiltInType(t) && <ReadOnlyMark />}
                  </td>
                  <td>{latest ? `${latest.number} — ${latest.name}` : '—'}</td>
                  <td>{latest ? (latest.is_final ? <span className="badge badge-ok">Final</span> : 'No') : '—'}</td>
                  <td>{latest ? formatDateTime(latest.last_modified) : '—'}</td>
                  <td>{t.creator}</td>
                  <td>
                    {t.tags.map((tag) => (
                      <span key={tag} className="badge mt-tag">
                        {tag}
                      </span>
                    ))}
                  </td>
                  <td data-testid={`lock-${t.name}`}>
                    {t.lock && (
                      <>
                        <LockIcon /> {lockHolderName(t.lock)}
                      </>
                    )}
                  </td>
                  <td className="ds-actions">
                    {latest && (
                      <button type="button" className="btn btn-small" onClick={() => void navigate(`/module-type-versions/${latest.id}`)}>
                        Open latest
                      </button>
                    )}
                    <button type="button" className="btn btn-small" onClick={() => void navigate(`/module-types/${t.id}`)}>
                      Versions
                    </button>
                    {admin && !isBuiltInType(t) && (
                      <button type="button" className="btn btn-small" onClick={() => setRemoving(t)}>
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}

      {creating && (
        <NewModuleTypeDialog
          kind={creating}
          projects={writable}
          onClose={() => setCreating(null)}
          onCreated={(created) => {
            setCreating(null);
            const first = latestVersion(created);
            void navigate(first ? `/module-type-versions/${first.id}` : `/module-types/${created.id}`);
          }}
        />
      )}
      {removing && <RemoveTypeDialog moduleType={removing} onClose={() => setRemoving(null)} />}
    </div>
  );
}
