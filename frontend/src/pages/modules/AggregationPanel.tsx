import { Link } from 'react-router-dom';
import type { AggregationSummary } from '../../api/types';
import { formatDateTime } from '../../format';
import { pendingText, stateRowsLink, submoduleLabel } from './aggregation';

/**
 * The Module Editor's Aggregation tab (docs/aggregation.md §2): whether a process is pending, and per
 * aggregation submodule the runs and rows aggregated, its state version (with its rows) and the last
 * run and process. Kept live by `aggregation_changed` (useModuleLive patches the module).
 */
export function AggregationPanel({ aggregation }: { aggregation: AggregationSummary }) {
  return (
    <div className="agg-panel" data-testid="aggregation-panel">
      <dl className="ds-meta">
        <dt>Process pending</dt>
        <dd data-testid="aggregation-pending">
          {aggregation.pending ? (
            <>
              <span className="badge agg-pending">Yes</span> {pendingText(aggregation)}
            </>
          ) : (
            'No'
          )}
        </dd>
        <dt>Runs since the last process</dt>
        <dd data-testid="aggregation-runs">{aggregation.runs}</dd>
        <dt>Rows in the state</dt>
        <dd data-testid="aggregation-rows">{aggregation.rows}</dd>
      </dl>
      {aggregation.submodules.length === 0 ? (
        <p className="empty">No aggregation submodule has a state yet.</p>
      ) : (
        <table className="table" data-testid="aggregation-submodules">
          <thead>
            <tr>
              <th scope="col">Aggregation submodule</th>
              <th scope="col">Runs aggregated</th>
              <th scope="col">Rows</th>
              <th scope="col">State version</th>
              <th scope="col">Updated</th>
              <th scope="col">Last run</th>
              <th scope="col">Last process</th>
            </tr>
          </thead>
          <tbody>
            {aggregation.submodules.map((sub) => {
              const rows = stateRowsLink(sub);
              return (
                <tr key={sub.path} data-testid={`aggregation-${sub.path || 'module'}`}>
                  <td>
                    <code>{submoduleLabel(sub)}</code>
                  </td>
                  <td>{sub.runs}</td>
                  <td>{sub.rows}</td>
                  <td>
                    {rows ? (
                      <>
                        {sub.state_version}{' '}
                        <Link to={rows} data-testid="state-rows-link">
                          View state rows
                        </Link>
                      </>
                    ) : (
                      <span className="muted">none yet</span>
                    )}
                  </td>
                  <td>{formatDateTime(sub.updated_at)}</td>
                  <td>{sub.last_run ? <Link to={`/runs/${sub.last_run}`}>Run</Link> : <span className="muted">—</span>}</td>
                  <td>{sub.last_process ? <Link to={`/runs/${sub.last_process}`}>Process</Link> : <span className="muted">—</span>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
