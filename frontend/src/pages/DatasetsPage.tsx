import { useCallback, useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useDatasets } from '../api/hooks/useDatasets';
import { useDatasetTypes } from '../api/hooks/useDatasetTypes';
import { useMe } from '../api/hooks/useMe';
import { usePurgeDataset } from '../api/hooks/usePurgeDataset';
import type { Dataset, DatasetListParams } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorPanel } from '../components/ErrorPanel';
import { isAdmin, writableProjects } from '../permissions';
import { DatasetsTable } from './datasets/DatasetsTable';
import { DatasetsToolbar } from './datasets/DatasetsToolbar';
import { listParamsToSearch, parseListParams } from './datasets/listParams';
import { NewDatasetDialog } from './datasets/NewDatasetDialog';
import { NewDatasetTypeDialog } from './datasets/NewDatasetTypeDialog';
import { canCreateDatasetType } from './datasets/permissions';

/** EMF's Dataset Manager: every dataset the user can see, with search and filters. */
export function DatasetsPage() {
  const { data: me } = useMe();
  const navigate = useNavigate();
  const [searchParams, setSearchParams] = useSearchParams();
  const params = useMemo(() => parseListParams(searchParams), [searchParams]);
  const admin = isAdmin(me);
  const removed = admin && !!params.removed;
  const datasets = useDatasets({ ...params, removed });
  const types = useDatasetTypes();
  const [dialog, setDialog] = useState<'dataset' | 'type' | null>(null);
  const [purging, setPurging] = useState<Dataset | null>(null);
  const writable = writableProjects(me);

  const setParams = useCallback(
    (next: DatasetListParams) => setSearchParams(listParamsToSearch(next), { replace: true }),
    [setSearchParams],
  );
  const filtered = !!(params.search || params.project != null || params.type != null);

  return (
    <div className="page">
      <div className="page-header">
        <h1>Datasets</h1>
        <p className="muted">Dataset Manager</p>
        <div className="ds-page-actions">
          {writable.length > 0 && (
            <button type="button" className="btn btn-primary" onClick={() => setDialog('dataset')}>
              New dataset
            </button>
          )}
          {canCreateDatasetType(me) && (
            <button type="button" className="btn" onClick={() => setDialog('type')}>
              New dataset type
            </button>
          )}
          <Link className="btn" to="/dataset-types">
            Dataset types
          </Link>
        </div>
      </div>

      <DatasetsToolbar
        params={params}
        onChange={setParams}
        projects={me?.projects ?? []}
        types={types.data ?? []}
        showRemovedToggle={admin}
      />

      {datasets.isError && !datasets.data ? (
        <ErrorPanel title="Could not load the datasets" error={datasets.error} onRetry={() => void datasets.refetch()} />
      ) : datasets.isPending ? (
        <p className="muted">Loading…</p>
      ) : datasets.data.length === 0 ? (
        <p className="empty">
          {removed
            ? 'No removed datasets.'
            : filtered
              ? 'No dataset matches these filters.'
              : 'No datasets yet. Datasets you can use will be listed here.'}
        </p>
      ) : (
        <DatasetsTable datasets={datasets.data} removed={removed} onPurge={removed ? setPurging : undefined} />
      )}

      {dialog === 'type' && (
        <NewDatasetTypeDialog
          onClose={() => setDialog(null)}
          onCreated={(created) => void navigate(`/dataset-types/${created.id}`, { state: { created: true } })}
        />
      )}
      {dialog === 'dataset' && (
        <NewDatasetDialog
          projects={writable}
          defaultProject={params.project}
          onClose={() => setDialog(null)}
          onCreated={(created) => void navigate(`/datasets/${created.id}`)}
        />
      )}
      {purging && <PurgeDialog dataset={purging} onClose={() => setPurging(null)} />}
    </div>
  );
}

function PurgeDialog({ dataset, onClose }: { dataset: Dataset; onClose: () => void }) {
  const purge = usePurgeDataset();
  return (
    <ConfirmDialog
      title="Purge dataset"
      confirmLabel="Purge"
      danger
      pending={purge.isPending}
      error={purge.error}
      onCancel={onClose}
      onConfirm={() => purge.mutate(dataset.id, { onSuccess: onClose })}
    >
      <p>
        Purge <strong>{dataset.name}</strong>? Every version and row is deleted for good; this cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
