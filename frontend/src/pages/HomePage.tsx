import { useHealth } from '../api/hooks/useHealth';
import { useMe } from '../api/hooks/useMe';
import { ErrorPanel } from '../components/ErrorPanel';
import { capitalize, displayName, healthCheckLabel, orderHealthChecks } from '../format';

export function HomePage() {
  const { data: me } = useMe();
  return (
    <div className="page">
      <div className="page-header">
        <h1>Home</h1>
        {me && <p className="muted">Welcome, {displayName(me)}.</p>}
      </div>
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
