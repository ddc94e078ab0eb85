import { Link } from 'react-router-dom';
import { useModuleHistory } from '../../api/hooks/useModuleHistory';
import { ErrorPanel } from '../../components/ErrorPanel';
import { formatDateTime } from '../../format';
import { formatDuration, resultClass, runOutcome } from './format';

/** EMF's Module History: every run of the module, newest first; each opens its History Details. */
export function HistoryTable({ moduleId }: { moduleId: number }) {
  const history = useModuleHistory(moduleId);
  if (history.isPending) return <p className="muted">Loading…</p>;
  if (history.isError) return <ErrorPanel title="Could not load the history" error={history.error} onRetry={() => void history.refetch()} />;
  if (history.data.length === 0) return <p className="empty">The module has never run.</p>;
  return (
    <table className="table" data-testid="history-table">
      <thead>
        <tr>
          <th scope="col">Run</th>
          <th scope="col">Mode</th>
          <th scope="col">Result</th>
          <th scope="col">User</th>
          <th scope="col">Started</th>
          <th scope="col">Ended</th>
          <th scope="col">Duration</th>
          <th scope="col">Error</th>
        </tr>
      </thead>
      <tbody>
        {history.data.map((r) => (
          <tr key={r.id} data-testid={`history-run-${r.run_number}`}>
            <td>
              <Link to={`/runs/${r.id}`}>Run {r.run_number}</Link>
            </td>
            <td>{r.mode}</td>
            <td>
              <span className={resultClass(r.result)}>{runOutcome(r)}</span>
            </td>
            <td>{r.user}</td>
            <td>{formatDateTime(r.started_at ?? r.created_at)}</td>
            <td>{formatDateTime(r.ended_at)}</td>
            <td>{formatDuration(r.started_at, r.ended_at)}</td>
            <td className="mod-error-cell">{r.error?.message ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
