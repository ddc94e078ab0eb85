import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useDatasetTypes } from '../../api/hooks/useDatasetTypes';
import { useMe } from '../../api/hooks/useMe';
import { ErrorPanel } from '../../components/ErrorPanel';
import { NewDatasetTypeDialog } from '../datasets/NewDatasetTypeDialog';
import { canCreateDatasetType } from '../datasets/permissions';

/** `/dataset-types` — every dataset type (shared by all projects), by name, with its columns. */
export function DatasetTypesPage() {
  const { data: me } = useMe();
  const types = useDatasetTypes();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  return (
    <div className="page">
      <p className="mt-breadcrumb">
        <Link to="/datasets">Datasets</Link> /
      </p>
      <div className="page-header">
        <h1>Dataset Types</h1>
        <p className="muted">Shared by every project</p>
        <div className="ds-page-actions">
          {canCreateDatasetType(me) && (
            <button type="button" className="btn" onClick={() => setCreating(true)}>
              New dataset type
            </button>
          )}
        </div>
      </div>
      {types.isError && !types.data ? (
        <ErrorPanel title="Could not load the dataset types" error={types.error} onRetry={() => void types.refetch()} />
      ) : types.isPending ? (
        <p className="muted">Loading…</p>
      ) : types.data.length === 0 ? (
        <p className="empty">No dataset types yet.</p>
      ) : (
        <table className="table" data-testid="dataset-types-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Columns</th>
              <th scope="col">Datasets</th>
              <th scope="col">Creator</th>
            </tr>
          </thead>
          <tbody>
            {types.data.map((t) => (
              <tr key={t.id}>
                <td>
                  <Link to={`/dataset-types/${t.id}`}>{t.name}</Link>
                </td>
                <td className="mono">{t.columns.map((c) => c.name).join(', ')}</td>
                <td>{t.dataset_count}</td>
                <td>{t.creator}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating && (
        <NewDatasetTypeDialog
          onClose={() => setCreating(false)}
          onCreated={(created) => void navigate(`/dataset-types/${created.id}`, { state: { created: true } })}
        />
      )}
    </div>
  );
}
