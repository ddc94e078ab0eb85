import { Link } from 'react-router-dom';
import type { Dataset } from '../../api/types';
import { formatDateTime } from '../../format';
import { latestVersionLabel } from './format';

interface Props {
  datasets: Dataset[];
  /** The removed list: no links, a "Removed" column and a Purge action. */
  removed?: boolean;
  onPurge?: (dataset: Dataset) => void;
}

export function DatasetsTable({ datasets, removed, onPurge }: Props) {
  return (
    <table className="table" data-testid="datasets-table">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Type</th>
          <th scope="col">Project</th>
          <th scope="col">Creator</th>
          <th scope="col">Latest version</th>
          <th scope="col">Last modified</th>
          {removed && <th scope="col">Removed</th>}
          {removed && onPurge && (
            <th scope="col">
              <span className="ds-sr-only">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {datasets.map((d) => (
          <tr key={d.id}>
            <td>{removed ? d.name : <Link to={`/datasets/${d.id}`}>{d.name}</Link>}</td>
            <td>{d.dataset_type_name}</td>
            <td>{d.project_name}</td>
            <td>{d.creator}</td>
            <td>{latestVersionLabel(d.versions)}</td>
            <td>{formatDateTime(d.last_modified)}</td>
            {removed && <td>{formatDateTime(d.removed_at)}</td>}
            {removed && onPurge && (
              <td className="ds-actions">
                <button type="button" className="btn btn-small ds-btn-danger" onClick={() => onPurge(d)}>
                  Purge
                </button>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
