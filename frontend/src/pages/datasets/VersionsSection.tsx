import { useState } from 'react';
import { useDatasetVersions } from '../../api/hooks/useDatasetVersions';
import { useFinalizeVersion } from '../../api/hooks/useFinalizeVersion';
import type { DatasetVersion } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorPanel } from '../../components/ErrorPanel';
import { formatCount, formatDateTime } from '../../format';
import { NewVersionDialog } from './NewVersionDialog';

interface Props {
  datasetId: number;
  canEdit: boolean;
  /** Open the rows of a version. */
  onShowRows?: (number: number) => void;
}

export function VersionsSection({ datasetId, canEdit, onShowRows }: Props) {
  const versions = useDatasetVersions(datasetId);
  const [creating, setCreating] = useState(false);
  const [finalizing, setFinalizing] = useState<DatasetVersion | null>(null);
  const finals = (versions.data ?? []).filter((v) => v.is_final);

  return (
    <section className="panel" aria-labelledby="versions-heading">
      <div className="panel-title-row">
        <h2 id="versions-heading">Versions</h2>
        {canEdit && (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => setCreating(true)}
            disabled={finals.length === 0}
            title={finals.length === 0 ? 'New versions come from a final version; finalize one first.' : undefined}
          >
            New version
          </button>
        )}
      </div>
      {versions.isError && !versions.data ? (
        <ErrorPanel title="Could not load the versions" error={versions.error} onRetry={() => void versions.refetch()} />
      ) : versions.isPending ? (
        <p className="muted">Loading…</p>
      ) : versions.data.length === 0 ? (
        <p className="empty">No versions yet. Import a CSV to create the first one.</p>
      ) : (
        <VersionsTable versions={versions.data} canEdit={canEdit} onFinalize={setFinalizing} onShowRows={onShowRows} />
      )}
      {creating && <NewVersionDialog datasetId={datasetId} finals={finals} onClose={() => setCreating(false)} />}
      {finalizing && (
        <FinalizeDialog datasetId={datasetId} version={finalizing} onClose={() => setFinalizing(null)} />
      )}
    </section>
  );
}

interface TableProps {
  versions: DatasetVersion[];
  canEdit: boolean;
  onFinalize: (version: DatasetVersion) => void;
  onShowRows?: (number: number) => void;
}

function VersionsTable({ versions, canEdit, onFinalize, onShowRows }: TableProps) {
  return (
    <table className="table" data-testid="versions-table">
      <thead>
        <tr>
          <th scope="col" className="num">
            Number
          </th>
          <th scope="col">Name</th>
          <th scope="col" className="num">
            Base
          </th>
          <th scope="col">Final</th>
          <th scope="col" className="num">
            Rows
          </th>
          <th scope="col">Creator</th>
          <th scope="col">Created</th>
          <th scope="col">Last modified</th>
          <th scope="col">
            <span className="ds-sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {versions.map((v) => (
          <tr key={v.number} data-testid={`version-${v.number}`}>
            <td className="num">{v.number}</td>
            <td>{v.name}</td>
            <td className="num">{v.base ?? '—'}</td>
            <td>{v.is_final ? <span aria-label="final">✓</span> : ''}</td>
            <td className="num">{formatCount(v.row_count)}</td>
            <td>{v.creator}</td>
            <td>{formatDateTime(v.created_at)}</td>
            <td>{formatDateTime(v.last_modified)}</td>
            <td className="ds-actions">
              {onShowRows && (
                <button type="button" className="btn btn-small" onClick={() => onShowRows(v.number)}>
                  Rows
                </button>
              )}
              {canEdit && !v.is_final && (
                <button type="button" className="btn btn-small" onClick={() => onFinalize(v)}>
                  Finalize
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function FinalizeDialog({ datasetId, version, onClose }: { datasetId: number; version: DatasetVersion; onClose: () => void }) {
  const finalize = useFinalizeVersion(datasetId);
  return (
    <ConfirmDialog
      title="Finalize version"
      confirmLabel="Finalize"
      pending={finalize.isPending}
      error={finalize.error}
      onCancel={onClose}
      onConfirm={() => finalize.mutate(version.number, { onSuccess: onClose })}
    >
      <p>
        Finalize version {version.number} ({version.name})? Final versions never change: later edits need a new
        version made from it.
      </p>
    </ConfirmDialog>
  );
}
