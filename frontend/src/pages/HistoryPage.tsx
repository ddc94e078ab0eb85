import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useModules } from '../api/hooks/useModules';
import { ErrorPanel } from '../components/ErrorPanel';
import { formatDateTime } from '../format';
import { formatDuration, resultClass, runOutcome } from './modules/format';
import { HistoryTable } from './modules/HistoryTable';
import { useModulesLive } from './modules/useModulesLive';

const ALL = {};

/** EMF's Module History: pick a module to list its runs; without one, the latest run of every module. */
export function HistoryPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const raw = searchParams.get('module');
  const moduleId = raw && /^\d+$/.test(raw) ? Number(raw) : null;
  const modules = useModules(ALL);
  useModulesLive(ALL);
  const list = useMemo(() => modules.data ?? [], [modules.data]);
  const latest = useMemo(
    () =>
      list
        .filter((m) => m.last_run)
        .sort((a, b) => (b.last_run!.started_at ?? '').localeCompare(a.last_run!.started_at ?? '') || b.last_run!.id - a.last_run!.id),
    [list],
  );
  const selected = list.find((m) => m.id === moduleId);

  return (
    <div className="page">
      <div className="page-header">
        <h1>History</h1>
        <p className="muted">Module History</p>
      </div>
      <div className="ds-toolbar">
        <select
          aria-label="Module"
          value={moduleId ?? ''}
          onChange={(e) => setSearchParams(e.target.value ? { module: e.target.value } : {}, { replace: true })}
        >
          <option value="">Latest run of every module</option>
          {list.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
        {selected && <Link to={`/modules/${selected.id}`}>Open {selected.name}</Link>}
      </div>

      {moduleId != null ? (
        <HistoryTable moduleId={moduleId} />
      ) : modules.isError && !modules.data ? (
        <ErrorPanel title="Could not load the modules" error={modules.error} onRetry={() => void modules.refetch()} />
      ) : modules.isPending ? (
        <p className="muted">Loading…</p>
      ) : latest.length === 0 ? (
        <p className="empty">No runs yet. The history of module runs will be listed here.</p>
      ) : (
        <table className="table" data-testid="latest-runs">
          <thead>
            <tr>
              <th scope="col">Module</th>
              <th scope="col">Run</th>
              <th scope="col">Result</th>
              <th scope="col">Started</th>
              <th scope="col">Ended</th>
              <th scope="col">Duration</th>
              <th scope="col">
                <span className="ds-sr-only">History</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {latest.map((m) => (
              <tr key={m.id}>
                <td>
                  <Link to={`/modules/${m.id}`}>{m.name}</Link>
                </td>
                <td>
                  <Link to={`/runs/${m.last_run!.id}`}>Run {m.last_run!.number}</Link>
                </td>
                <td>
                  <span className={resultClass(m.last_run!.result)}>{runOutcome(m.last_run!)}</span>
                </td>
                <td>{formatDateTime(m.last_run!.started_at)}</td>
                <td>{formatDateTime(m.last_run!.ended_at)}</td>
                <td>{formatDuration(m.last_run!.started_at, m.last_run!.ended_at)}</td>
                <td>
                  <button type="button" className="btn btn-small" onClick={() => setSearchParams({ module: String(m.id) }, { replace: true })}>
                    All runs
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
