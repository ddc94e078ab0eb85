import { useMemo } from 'react';
import { Link } from 'react-router-dom';
import { useHealth } from '../api/hooks/useHealth';
import { useMe } from '../api/hooks/useMe';
import { useModules } from '../api/hooks/useModules';
import type { Module } from '../api/types';
import { ErrorPanel } from '../components/ErrorPanel';
import { capitalize, displayName, formatDateTime, healthCheckLabel, orderHealthChecks } from '../format';
import { dashboard } from './home/dashboard';
import { resultClass, runOutcome } from './modules/format';
import { StatusBadge } from './modules/StatusBadge';
import { useModulesLive } from './modules/useModulesLive';

const ALL = {};

export function HomePage() {
  const { data: me } = useMe();
  return (
    <div className="page">
      <div className="page-header">
        <h1>Home</h1>
        {me && <p className="muted">Welcome, {displayName(me)}.</p>}
      </div>
      <WorkPanels />
      <div className="dashboard">
        <ProjectsPanel />
        <HealthPanel />
      </div>
    </div>
  );
}

function ProjectsPanel() {
  const { data: me } = useMe();
  const projects = me?.projects ?? [];
  return (
    <section className="panel" aria-labelledby="projects-heading">
      <h2 id="projects-heading">Your projects</h2>
      {projects.length === 0 ? (
        <p className="empty">You are not a member of any project yet.</p>
      ) : (
        <table className="table" data-testid="projects-table">
          <thead>
            <tr>
              <th scope="col">Project</th>
              <th scope="col">Your role</th>
            </tr>
          </thead>
          <tbody>
            {projects.map((project) => (
              <tr key={project.id}>
                <td>{project.name}</td>
                <td>{capitalize(project.role)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function HealthPanel() {
  const health = useHealth();
  const data = health.data;
  return (
    <section className="panel" aria-labelledby="health-heading" data-testid="health-panel">
      <div className="panel-title-row">
        <h2 id="health-heading">System health</h2>
        {data && (
          <span className={`badge ${data.status === 'ok' ? 'badge-ok' : 'badge-failed'}`} data-testid="health-status">
            {data.status}
          </span>
        )}
        <button
          type="button"
          className="btn btn-small"
          onClick={() => void health.refetch()}
          disabled={health.isFetching}
        >
          Refresh
        </button>
      </div>
      {health.isPending && <p className="muted">Checking…</p>}
      {health.isError && !data && <ErrorPanel title="Health check failed" error={health.error} />}
      {data && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Status</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {orderHealthChecks(Object.keys(data.checks ?? {})).map((name) => {
              const check = data.checks[name];
              if (!check) return null;
              return (
                <tr key={name} data-testid={`health-${name}`}>
                  <td>{healthCheckLabel(name)}</td>
                  <td>
                    <span className={`badge ${check.ok ? 'badge-ok' : 'badge-failed'}`}>
                      {check.ok ? 'ok' : 'failed'}
                    </span>
                  </td>
                  <td className="detail">{check.detail}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The user's projects at a glance: what runs now, what is OutOfDate, the latest runs (kept live). */
function WorkPanels() {
  const modules = useModules(ALL);
  useModulesLive(ALL);
  const board = useMemo(() => dashboard(modules.data ?? []), [modules.data]);
  if (modules.isError && !modules.data) {
    return <ErrorPanel title="Could not load the modules" error={modules.error} onRetry={() => void modules.refetch()} />;
  }
  const loading = modules.isPending;
  return (
    <div className="dashboard home-work">
      <section className="panel" aria-labelledby="running-heading" data-testid="home-running">
        <h2 id="running-heading">Running now</h2>
        {loading ? (
          <p className="muted">Loading…</p>
        ) : board.running.length === 0 ? (
          <p className="empty">Nothing is running.</p>
        ) : (
          <ul className="home-list">
            {board.running.map((m) => (
              <li key={m.id}>
                <Link to={`/runs/${m.last_run!.id}`}>
                  Run {m.last_run!.number} of {m.name}
                </Link>{' '}
                <span className="muted">since {formatDateTime(m.last_run!.started_at)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="panel" aria-labelledby="stale-heading" data-testid="home-out-of-date">
        <h2 id="stale-heading">OutOfDate modules</h2>
        {loading ? (
          <p className="muted">Loading…</p>
        ) : board.outOfDate.length === 0 ? (
          <p className="empty">Every module is UpToDate.</p>
        ) : (
          <ul className="home-list">
            {board.outOfDate.map((m) => (
              <li key={m.id}>
                <StatusBadge status={m.status} /> <Link to={`/modules/${m.id}`}>{m.name}</Link>
                {m.reasons?.[0] && <div className="muted home-reason">{m.reasons[0].message}</div>}
              </li>
            ))}
          </ul>
        )}
        <p>
          <Link to="/modules?status=OutOfDate">All OutOfDate modules</Link>
        </p>
      </section>
      <section className="panel" aria-labelledby="recent-heading" data-testid="home-recent-runs">
        <h2 id="recent-heading">Recent runs</h2>
        {loading ? (
          <p className="muted">Loading…</p>
        ) : board.recent.length === 0 ? (
          <p className="empty">No runs yet.</p>
        ) : (
          <ul className="home-list">
            {board.recent.map((m: Module) => (
              <li key={m.id}>
                <Link to={`/runs/${m.last_run!.id}`}>
                  Run {m.last_run!.number} of {m.name}
                </Link>{' '}
                <span className={resultClass(m.last_run!.result)}>{runOutcome({ result: m.last_run!.result })}</span>{' '}
                <span className="muted">{formatDateTime(m.last_run!.ended_at ?? m.last_run!.started_at)}</span>
              </li>
            ))}
          </ul>
        )}
        <p>
          <Link to="/history">History</Link>
        </p>
      </section>
    </div>
  );
}
