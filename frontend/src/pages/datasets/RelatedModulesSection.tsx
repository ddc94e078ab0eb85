import { Link } from 'react-router-dom';
import { useRelatedModules } from '../../api/hooks/useRelatedModules';
import { ErrorPanel } from '../../components/ErrorPanel';

const RELATION_LABELS: Record<string, string> = {
  input: 'Reads it (input)',
  output: 'Produced it (output)',
  replace: 'Replaces it (output)',
};

export function relationLabel(relation: string): string {
  return RELATION_LABELS[relation] ?? relation;
}

export function RelatedModulesSection({ datasetId }: { datasetId: number }) {
  const related = useRelatedModules(datasetId);
  return (
    <section className="panel" aria-labelledby="related-heading">
      <h2 id="related-heading">Related modules</h2>
      {related.isError ? (
        <ErrorPanel title="Could not load the related modules" error={related.error} onRetry={() => void related.refetch()} />
      ) : related.isPending ? (
        <p className="muted">Loading…</p>
      ) : related.data.length === 0 ? (
        <p className="empty">No module uses or produced this dataset.</p>
      ) : (
        <table className="table" data-testid="related-modules">
          <thead>
            <tr>
              <th scope="col">Module</th>
              <th scope="col">Relation</th>
            </tr>
          </thead>
          <tbody>
            {related.data.map((m, i) => (
              <tr key={`${m.module_id}-${m.relation}-${i}`}>
                <td>
                  <Link to={`/modules/${m.module_id}`}>{m.module_name}</Link>
                </td>
                <td>{relationLabel(m.relation)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
