import { useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { isApiError } from '../../api/client';
import { useDataset, type DatasetWithEtag } from '../../api/hooks/useDataset';
import { useMe } from '../../api/hooks/useMe';
import type { Dataset } from '../../api/types';
import { ErrorPanel } from '../../components/ErrorPanel';
import { Tabs, type TabDef } from '../../components/Tabs';
import { ImportSection } from './ImportSection';
import { canEditDataset, canRemoveDataset } from './permissions';
import { RelatedModulesSection } from './RelatedModulesSection';
import { RemoveDatasetDialog } from './RemoveDatasetDialog';
import { RowsSection } from './RowsSection';
import { SummarySection } from './SummarySection';
import { useDatasetLive } from './useDatasetLive';
import { VersionsSection } from './VersionsSection';

const ALL_TABS: TabDef[] = [
  { id: 'summary', label: 'Summary' },
  { id: 'versions', label: 'Versions' },
  { id: 'import', label: 'Import' },
  { id: 'rows', label: 'Rows' },
  { id: 'related', label: 'Related modules' },
];

/** `/datasets/:id` — one dataset: summary, versions, import, rows (+ export), related modules. */
export function DatasetDetailPage() {
  const { id: rawId } = useParams();
  const id = rawId && /^\d+$/.test(rawId) ? Number(rawId) : NaN;
  useDatasetLive(id);
  const detail = useDataset(id);

  if (!Number.isFinite(id) || (isApiError(detail.error) && detail.error.status === 404)) {
    return (
      <div className="page">
        <div className="page-header">
          <h1>Dataset not found</h1>
        </div>
        <p className="empty">
          This dataset does not exist, was removed, or belongs to a project you are not in.{' '}
          <Link to="/datasets">Back to the Dataset Manager</Link>
        </p>
      </div>
    );
  }
  if (detail.isError && !detail.data) {
    return (
      <div className="page">
        <ErrorPanel title="Could not load the dataset" error={detail.error} onRetry={() => void detail.refetch()} />
      </div>
    );
  }
  if (!detail.data) {
    return (
      <div className="page muted" aria-busy="true">
        Loading…
      </div>
    );
  }
  return (
    <DatasetView
      key={id}
      dataset={detail.data.dataset}
      etag={detail.data.etag}
      onReload={async () => (await detail.refetch()).data}
    />
  );
}

interface ViewProps {
  dataset: Dataset;
  etag: string | null;
  onReload: () => Promise<DatasetWithEtag | undefined>;
}

function DatasetView({ dataset, etag, onReload }: ViewProps) {
  const { data: me } = useMe();
  const navigate = useNavigate();
  const [searchParams, setSearchParams] = useSearchParams();
  const canEdit = canEditDataset(me, dataset);
  const canRemove = canRemoveDataset(me, dataset);
  const tabs = ALL_TABS.filter((t) => t.id !== 'import' || canEdit);
  const requested = searchParams.get('tab');
  const active = tabs.some((t) => t.id === requested) ? (requested as string) : 'summary';
  const [visited, setVisited] = useState<Set<string>>(() => new Set([active]));
  // ?version=N opens the Rows tab at that version (a module's aggregation state links here, docs/aggregation.md).
  const [rowsVersion, setRowsVersion] = useState<number | null>(() => {
    const asked = searchParams.get('version');
    return asked !== null && /^\d+$/.test(asked) ? Number(asked) : null;
  });
  const [removing, setRemoving] = useState(false);

  const latest = dataset.versions.length ? dataset.versions[dataset.versions.length - 1].number : null;
  const shownVersion =
    rowsVersion !== null && dataset.versions.some((v) => v.number === rowsVersion) ? rowsVersion : latest;

  const select = (tab: string) => {
    if (!visited.has(tab)) setVisited(new Set([...visited, tab]));
    const next = new URLSearchParams(searchParams);
    if (tab === 'summary') next.delete('tab');
    else next.set('tab', tab);
    setSearchParams(next, { replace: true });
  };

  const render = (tab: string) => {
    switch (tab) {
      case 'summary':
        return <SummarySection dataset={dataset} etag={etag} canEdit={canEdit} onReload={onReload} />;
      case 'versions':
        return (
          <VersionsSection
            datasetId={dataset.id}
            canEdit={canEdit}
            onShowRows={(n) => {
              setRowsVersion(n);
              select('rows');
            }}
          />
        );
      case 'import':
        return <ImportSection datasetId={dataset.id} columns={dataset.columns.map((c) => c.name)} />;
      case 'rows':
        return (
          <RowsSection
            datasetId={dataset.id}
            columns={dataset.columns}
            versions={dataset.versions}
            version={shownVersion}
            onVersionChange={setRowsVersion}
          />
        );
      case 'related':
        return <RelatedModulesSection datasetId={dataset.id} />;
      default:
        return null;
    }
  };

  return (
    <div className="page">
      <div className="page-header">
        <h1>{dataset.name}</h1>
        <span className="badge">{dataset.dataset_type_name}</span>
        <span className="muted">{dataset.project_name}</span>
        <div className="ds-page-actions">
          <Link to="/datasets" className="btn btn-small">
            All datasets
          </Link>
          {canRemove && (
            <button type="button" className="btn btn-small ds-btn-danger" onClick={() => setRemoving(true)}>
              Remove
            </button>
          )}
        </div>
      </div>
      {!canEdit && (
        <p className="muted ds-read-only-note" data-testid="read-only-note">
          You can view this dataset; changing it needs the Modeler role in {dataset.project_name}.
        </p>
      )}
      <Tabs tabs={tabs} active={active} onSelect={select} visited={visited} render={render} />
      {removing && (
        <RemoveDatasetDialog
          dataset={dataset}
          onClose={() => setRemoving(false)}
          onRemoved={() => void navigate('/datasets', { replace: true })}
        />
      )}
    </div>
  );
}
