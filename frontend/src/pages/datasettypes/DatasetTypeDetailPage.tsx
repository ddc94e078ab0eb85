import { Link, useLocation, useParams } from 'react-router-dom';
import { useDatasetTypes } from '../../api/hooks/useDatasetTypes';
import { useDatasetTypeUsage } from '../../api/hooks/useDatasetTypeUsage';
import { ErrorPanel } from '../../components/ErrorPanel';
import { formatDateTime } from '../../format';

/** `/dataset-types/:id` — one dataset type: its columns and what uses it (in the user's projects). */
export function DatasetTypeDetailPage() {
  const id = Number(useParams().id);
  const created = !!(useLocation().state as { created?: boolean } | null)?.created;
  const types = useDatasetTypes();
  const usage = useDatasetTypeUsage(id);
  const type = types.data?.find((t) => t.id === id);
  if (types.isPending) return <p className="muted">Loading…</p>;
  if (!type) {
    return (
      <div className="page">
        <ErrorPanel title="No such dataset type" error={types.error} />
        <p>
          <Link to="/dataset-types">Back to Dataset Types</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="page">
      <p className="mt-breadcrumb">
        <Link to="/datasets">Datasets</Link> / <Link to="/dataset-types">Dataset Types</Link> /
      </p>
      <div className="page-header">
        <h1>{type.name}</h1>
        <p className="muted">Dataset type</p>
      </div>
      {created && (
        <p className="ds-notice-ok" role="status" data-testid="created-banner">
          Dataset type {type.name} created. Datasets of this type can now be created, and module types can use it in
          their slots.
        </p>
      )}
      <section className="panel mt-section" aria-labelledby="dt-summary-heading">
        <h2 id="dt-summary-heading">Summary</h2>
        <dl className="ds-meta">
          <dt>Description</dt>
          <dd>{type.description || <span className="muted">None</span>}</dd>
          <dt>Creator</dt>
          <dd>{type.creator}</dd>
          <dt>Created</dt>
          <dd>{formatDateTime(type.created_at)}</dd>
        </dl>
      </section>
      <section className="panel mt-section" aria-labelledby="dt-columns-heading">
        <h2 id="dt-columns-heading">Columns</h2>
        <table className="table" data-testid="dataset-type-columns">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Name</th>
              <th scope="col">SQL type</th>
            </tr>
          </thead>
          <tbody>
            {type.columns.map((c, i) => (
              <tr key={c.name}>
                <td>{i + 1}</td>
                <td className="mono">{c.name}</td>
                <td className="mono">{c.sql_type}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="panel mt-section" aria-labelledby="dt-used-heading" data-testid="dataset-type-used-by">
        <h2 id="dt-used-heading">Used by</h2>
        {usage.isError && <ErrorPanel title="Could not load what uses it" error={usage.error} />}
        {usage.isPending && <p className="muted">Loading…</p>}
        {usage.data && (
          <>
            <h3>Datasets</h3>
            {usage.data.datasets.length === 0 ? (
              <p className="empty">No dataset of your projects has this type.</p>
            ) : (
              <ul>
                {usage.data.datasets.map((d) => (
                  <li key={d.id}>
                    <Link to={`/datasets/${d.id}`}>{d.name}</Link> <span className="muted">({d.project_name})</span>
                  </li>
                ))}
              </ul>
            )}
            <h3>Module type versions</h3>
            {usage.data.module_type_versions.length === 0 ? (
              <p className="empty">No module type of your projects has a slot of this type.</p>
            ) : (
              <ul>
                {usage.data.module_type_versions.map((v) => (
                  <li key={v.id}>
                    <Link to={`/module-type-versions/${v.id}`}>
                      {v.module_type_name} version {v.number}
                    </Link>{' '}
                    <span className="muted">
                      ({v.slots.map((s) => `${s.placeholder} ${s.mode}`).join(', ')})
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </section>
    </div>
  );
}
