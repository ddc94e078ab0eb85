import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useCopyModuleTypeVersion } from '../../api/hooks/useCopyModuleTypeVersion';
import { useMe } from '../../api/hooks/useMe';
import { useModuleType } from '../../api/hooks/useModuleType';
import { useUpdateModuleType } from '../../api/hooks/useUpdateModuleType';
import type { ModuleType, ModuleTypeVersionSummary } from '../../api/types';
import { ErrorPanel } from '../../components/ErrorPanel';
import { FormErrors } from '../../components/FormErrors';
import { parseTags, TextAreaField, TextField } from '../../components/FormFields';
import { formatDateTime } from '../../format';
import { canWriteProject } from '../../permissions';
import { latestVersion } from './list';
import { NewTypeFromVersionDialog } from './NewTypeFromVersionDialog';
import { canRemoveType, canRemoveVersion, isBuiltInType } from './permissions';
import { ReadOnlyMark } from './ReadOnlyMark';
import { RemoveTypeDialog } from './RemoveTypeDialog';
import { RemoveVersionDialog } from './RemoveVersionDialog';

/** EMF's Module Type Version Manager: the versions of one module type. */
export function VersionManagerPage() {
  const id = Number(useParams().id);
  const type = useModuleType(Number.isFinite(id) ? id : null);
  if (type.isPending) return <p className="muted">Loading…</p>;
  if (type.isError || !type.data) {
    return (
      <div className="page">
        <ErrorPanel title="Could not load the module type" error={type.error} onRetry={() => void type.refetch()} />
        <p>
          <Link to="/module-types">Back to Module Types</Link>
        </p>
      </div>
    );
  }
  return <VersionManager moduleType={type.data} />;
}

function VersionManager({ moduleType }: { moduleType: ModuleType }) {
  const { data: me } = useMe();
  const navigate = useNavigate();
  const versions = [...moduleType.versions].sort((a, b) => a.number - b.number);
  const [selectedId, setSelectedId] = useState<number | null>(latestVersion(moduleType)?.id ?? null);
  const selected = versions.find((v) => v.id === selectedId) ?? null;
  const [dialog, setDialog] = useState<'new-type' | 'remove-version' | 'remove-type' | 'edit' | null>(null);
  const copy = useCopyModuleTypeVersion();
  const builtIn = isBuiltInType(moduleType);
  const writable = !builtIn && canWriteProject(me, moduleType.project);

  const newVersion = () => {
    if (!selected) return;
    copy.mutate(
      { moduleType: moduleType.id, source: selected.id },
      { onSuccess: (created) => void navigate(`/module-type-versions/${created.id}`) },
    );
  };

  return (
    <div className="page">
      <p className="mt-breadcrumb">
        <Link to="/module-types">Module Types</Link> /
      </p>
      <div className="page-header">
        <h1>{moduleType.name}</h1>
        <span className="badge">{moduleType.kind}</span>
        {builtIn && <ReadOnlyMark />}
        <p className="muted">Version Manager</p>
        <div className="ds-page-actions">
          {writable && (
            <button type="button" className="btn" onClick={() => setDialog('edit')}>
              Edit type
            </button>
          )}
          {canRemoveType(me) && !builtIn && (
            <button type="button" className="btn" onClick={() => setDialog('remove-type')}>
              Remove type
            </button>
          )}
        </div>
      </div>

      <section className="panel mt-section">
        <dl className="ds-meta">
          <dt>Description</dt>
          <dd>{moduleType.description || '—'}</dd>
          <dt>Kind</dt>
          <dd>{moduleType.kind}</dd>
          <dt>Project</dt>
          <dd>{moduleType.project == null ? 'none (built-in, every project)' : (me?.projects.find((p) => p.id === moduleType.project)?.name ?? moduleType.project)}</dd>
          <dt>Creator</dt>
          <dd>{moduleType.creator}</dd>
          <dt>Created</dt>
          <dd>{formatDateTime(moduleType.created_at)}</dd>
          <dt>Tags</dt>
          <dd>{moduleType.tags.length ? moduleType.tags.join(', ') : '—'}</dd>
        </dl>
        {dialog === 'edit' && <EditTypeForm moduleType={moduleType} onDone={() => setDialog(null)} />}
      </section>

      <section className="panel mt-section" aria-labelledby="mt-versions-heading">
        <div className="panel-title-row">
          <h2 id="mt-versions-heading">Versions</h2>
          <button
            type="button"
            className="btn btn-small btn-primary"
            disabled={!selected}
            onClick={() => selected && void navigate(`/module-type-versions/${selected.id}`)}
          >
            Open
          </button>
          {writable && (
            <button type="button" className="btn btn-small" disabled={!selected || copy.isPending} onClick={newVersion}>
              New version
            </button>
          )}
          {writable && (
            <button type="button" className="btn btn-small" disabled={!selected} onClick={() => setDialog('new-type')}>
              New type from version
            </button>
          )}
          {selected && !builtIn && canRemoveVersion(me, moduleType.project, selected) && (
            <button type="button" className="btn btn-small" onClick={() => setDialog('remove-version')}>
              Remove version
            </button>
          )}
        </div>
        <FormErrors error={copy.error} />
        <table className="table mt-versions-table" data-testid="versions-table">
          <thead>
            <tr>
              <th scope="col" aria-label="Selected" />
              <th scope="col" className="num">
                Version
              </th>
              <th scope="col">Name</th>
              <th scope="col">Final</th>
              <th scope="col">Last modified</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v: ModuleTypeVersionSummary) => (
              <tr
                key={v.id}
                className={v.id === selectedId ? 'mt-row-selected' : undefined}
                onClick={() => setSelectedId(v.id)}
                onDoubleClick={() => void navigate(`/module-type-versions/${v.id}`)}
                data-testid={`version-row-${v.number}`}
              >
                <td>
                  <input
                    type="radio"
                    name="mt-version"
                    aria-label={`Select version ${v.number}`}
                    checked={v.id === selectedId}
                    onChange={() => setSelectedId(v.id)}
                  />
                </td>
                <td className="num">{v.number}</td>
                <td>
                  <Link to={`/module-type-versions/${v.id}`}>{v.name}</Link>
                </td>
                <td>{v.is_final ? <span className="badge badge-ok">Final</span> : 'No'}</td>
                <td>{formatDateTime(v.last_modified)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {dialog === 'new-type' && selected && (
        <NewTypeFromVersionDialog
          versionId={selected.id}
          suggestion={`${moduleType.name} (copy)`}
          onClose={() => setDialog(null)}
          onCreated={(created) => {
            setDialog(null);
            void navigate(`/module-types/${created.id}`);
          }}
        />
      )}
      {dialog === 'remove-version' && selected && (
        <RemoveVersionDialog
          moduleType={moduleType.id}
          typeName={moduleType.name}
          version={selected}
          onClose={() => {
            setDialog(null);
            setSelectedId(null);
          }}
        />
      )}
      {dialog === 'remove-type' && (
        <RemoveTypeDialog moduleType={moduleType} onClose={() => setDialog(null)} onRemoved={() => void navigate('/module-types')} />
      )}
    </div>
  );
}

function EditTypeForm({ moduleType, onDone }: { moduleType: ModuleType; onDone: () => void }) {
  const [name, setName] = useState(moduleType.name);
  const [description, setDescription] = useState(moduleType.description);
  const [tags, setTags] = useState(moduleType.tags.join(', '));
  const update = useUpdateModuleType();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate(
      { id: moduleType.id, changes: { name: name.trim(), description, tags: parseTags(tags) } },
      { onSuccess: onDone },
    );
  };
  return (
    <form onSubmit={submit} className="mt-edit-type" aria-label="Edit module type">
      <TextField id="mt-edit-name" label="Name" value={name} onChange={setName} required maxLength={200} />
      <TextAreaField id="mt-edit-description" label="Description" value={description} onChange={setDescription} rows={2} />
      <TextField id="mt-edit-tags" label="Tags (comma separated)" value={tags} onChange={setTags} />
      <FormErrors error={update.error} />
      <div className="ds-form-actions">
        <button type="submit" className="btn btn-primary" disabled={update.isPending || !name.trim()}>
          Save
        </button>
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
