import { useState } from 'react';
import type { DatasetWithEtag } from '../../api/hooks/useDataset';
import type { Dataset } from '../../api/types';
import { formatDateTime } from '../../format';
import { SummaryEditForm } from './SummaryEditForm';

interface Props {
  dataset: Dataset;
  etag: string | null;
  canEdit: boolean;
  onReload: () => Promise<DatasetWithEtag | undefined>;
}

/** Metadata; modelers can edit name, description and keywords. */
export function SummarySection({ dataset, etag, canEdit, onReload }: Props) {
  const [editing, setEditing] = useState(false);
  if (editing) {
    return (
      <SummaryEditForm dataset={dataset} etag={etag} onDone={() => setEditing(false)} onReload={onReload} />
    );
  }
  return (
    <section className="panel" aria-labelledby="summary-heading">
      <div className="panel-title-row">
        <h2 id="summary-heading">Summary</h2>
        {canEdit && (
          <button type="button" className="btn btn-small" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
      </div>
      <DatasetMetadata dataset={dataset} />
    </section>
  );
}

export function DatasetMetadata({ dataset }: { dataset: Dataset }) {
  const keywords = Object.entries(dataset.keywords ?? {});
  return (
    <>
      <dl className="ds-meta">
        <dt>Name</dt>
        <dd data-testid="dataset-name">{dataset.name}</dd>
        <dt>Dataset type</dt>
        <dd>{dataset.dataset_type_name}</dd>
        <dt>Columns</dt>
        <dd className="mono">{dataset.columns.map((c) => `${c.name} ${c.sql_type}`).join(', ')}</dd>
        <dt>Project</dt>
        <dd>{dataset.project_name}</dd>
        <dt>Creator</dt>
        <dd>{dataset.creator}</dd>
        <dt>Created</dt>
        <dd>{formatDateTime(dataset.created_at)}</dd>
        <dt>Last modified</dt>
        <dd>{formatDateTime(dataset.last_modified)}</dd>
        <dt>Description</dt>
        <dd data-testid="dataset-description">
          {dataset.description ? dataset.description : <span className="muted">No description.</span>}
        </dd>
      </dl>
      <h3 className="ds-subheading">Keywords</h3>
      {keywords.length === 0 ? (
        <p className="empty">No keywords.</p>
      ) : (
        <table className="table ds-table-compact" data-testid="keywords-table">
          <thead>
            <tr>
              <th scope="col">Keyword</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {keywords.map(([key, value]) => (
              <tr key={key}>
                <td>{key}</td>
                <td>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
