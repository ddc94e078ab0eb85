import { Link } from 'react-router-dom';
import type { Module } from '../../api/types';
import { formatDateTime } from '../../format';
import { lockMessage } from '../../live/editLock';
import { resultClass, runOutcome } from './format';
import { StatusBadge } from './StatusBadge';
import { unsuccessfulRun } from './runResult';
import { LockIcon } from '../../components/LockIcon';
import { pendingBadge } from './aggregation';

interface Props {
  modules: Module[];
  selected: ReadonlySet<number>;
  onToggle: (id: number, on: boolean) => void;
  onToggleAll: (on: boolean) => void;
  onRun?: (module: Module) => void;
  onCopy?: (module: Module) => void;
  onRemove?: (module: Module) => void;
  canWrite: (module: Module) => boolean;
  canRemove: (module: Module) => boolean;
  running: ReadonlySet<number>;
}

export function ModulesTable({ modules, selected, onToggle, onToggleAll, onRun, onCopy, onRemove, canWrite, canRemove, running }: Props) {
  const all = modules.length > 0 && modules.every((m) => selected.has(m.id));
  return (
    <table className="table mod-table" data-testid="modules-table">
      <thead>
        <tr>
          <th scope="col" className="mod-check">
            <input type="checkbox" aria-label="Select all modules" checked={all} onChange={(e) => onToggleAll(e.target.checked)} />
          </th>
          <th scope="col">Name</th>
          <th scope="col">Status</th>
          <th scope="col">Module type</th>
          <th scope="col">Project</th>
          <th scope="col">Creator</th>
          <th scope="col">Tags</th>
          <th scope="col">Final</th>
          <th scope="col">Last run</th>
          <th scope="col">Last modified</th>
          <th scope="col">
            <span className="ds-sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {modules.map((m) => {
          const busy = running.has(m.id) || (!!m.last_run && !m.last_run.result);
          const pending = pendingBadge(m.aggregation);
          return (
            <tr key={m.id} data-testid={`module-row-${m.id}`} className={selected.has(m.id) ? 'mt-row-selected' : undefined}>
              <td className="mod-check">
                <input
                  type="checkbox"
                  aria-label={`Select ${m.name}`}
                  checked={selected.has(m.id)}
                  onChange={(e) => onToggle(m.id, e.target.checked)}
                />
              </td>
              <td>
                <Link to={`/modules/${m.id}`}>{m.name}</Link>
                {m.lock && (
                  <div className="muted mod-lock-line" title={`Lock expires ${formatDateTime(m.lock.expires_at)}`}>
                    <LockIcon /> {lockMessage(m.lock)}
                  </div>
                )}
              </td>
              <td>
                <StatusBadge status={m.status} testId="module-status" />
                {pending && (
                  <div>
                    <span className="badge agg-pending" title={pending.title} data-testid="process-pending">
                      {pending.label}
                    </span>
                  </div>
                )}
              </td>
              <td>
                {m.type_name} v{m.type_version_number}
                {m.type_kind === 'composite' && <span className="muted"> (composite)</span>}
              </td>
              <td>{m.project_name ?? m.project}</td>
              <td>{m.creator}</td>
              <td>
                {m.tags.map((t) => (
                  <span key={t} className="badge mt-tag">
                    {t}
                  </span>
                ))}
              </td>
              <td>{m.is_final ? <span className="badge badge-ok">Final</span> : ''}</td>
              <td>
                {m.last_run ? (
                  <>
                    <Link to={`/runs/${m.last_run.id}`}>
                      <span className={resultClass(m.last_run.result)}>#{m.last_run.number} {runOutcome(m.last_run)}</span>
                    </Link>
                    {unsuccessfulRun(m.last_run)?.detail && (
                      <div className="run-failed-row" data-testid="last-run-error">
                        {unsuccessfulRun(m.last_run)?.detail}
                      </div>
                    )}
                  </>
                ) : (
                  <span className="muted">Never run</span>
                )}
              </td>
              <td>{formatDateTime(m.last_modified)}</td>
              <td className="ds-actions">
                {onRun && canWrite(m) && (
                  <button type="button" className="btn btn-small" onClick={() => onRun(m)} disabled={busy} aria-label={`Run ${m.name}`}>
                    Run
                  </button>
                )}
                {onCopy && canWrite(m) && (
                  <button type="button" className="btn btn-small" onClick={() => onCopy(m)} aria-label={`Copy ${m.name}`}>
                    Copy
                  </button>
                )}
                {onRemove && canRemove(m) && (
                  <button type="button" className="btn btn-small ds-btn-danger" onClick={() => onRemove(m)} aria-label={`Remove ${m.name}`}>
                    Remove
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
