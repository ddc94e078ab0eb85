import { useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useCancelRun } from '../../api/hooks/useCancelRun';
import { useMe } from '../../api/hooks/useMe';
import { useModule } from '../../api/hooks/useModule';
import { useModuleTypeVersion } from '../../api/hooks/useModuleTypeVersion';
import { useRun } from '../../api/hooks/useRun';
import type { Run, RunError, RunStep, SteeringRecord } from '../../api/types';
import { ErrorPanel } from '../../components/ErrorPanel';
import { withoutLocation } from '../moduletypes/sql/diagnostics';
import { FormErrors } from '../../components/FormErrors';
import { formatCount, formatDateTime } from '../../format';
import { formatDuration, resultClass, runOutcome, showValue } from './format';
import { filterLog, type RunLiveState, type StepLive } from './live';
import { CancelRunDialog } from './CancelRunDialog';
import { canUseModule } from './permissions';
import { useRunLive } from './useRunLive';
import { stepFigures } from './progressive/charts';
import { ProgressivePanel } from './progressive/ProgressivePanel';
import { describeChange } from './progressive/steering';
import { SteeringForm } from './progressive/SteeringForm';

const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'SUCCESS'];

/** EMF's Module History Details, live while the run is going. */
export function RunDetailsPage() {
  const id = Number(useParams().id);
  const query = useRun(id);
  const live = useRunLive(id, query.data);
  if (query.isPending) return <p className="muted">Loading…</p>;
  if (!query.data || !live) {
    return (
      <div className="page">
        <ErrorPanel title="Could not load the run" error={query.error} onRetry={() => void query.refetch()} />
        <p>
          <Link to="/history">Back to History</Link>
        </p>
      </div>
    );
  }
  return <RunDetails run={query.data} live={live} />;
}

function RunDetails({ run, live }: { run: Run; live: RunLiveState }) {
  const { data: me } = useMe();
  const module = useModule(run.module);
  const cancel = useCancelRun();
  const going = !live.result;
  const moduleName = module.data?.module.name ?? `module ${run.module}`;
  const [confirming, setConfirming] = useState(false);

  return (
    <div className="page mod-run">
      <p className="mt-breadcrumb">
        <Link to="/modules">Modules</Link> / <Link to={`/modules/${run.module}`}>{moduleName}</Link> /{' '}
        <Link to={`/history?module=${run.module}`}>History</Link> /
      </p>
      <div className="page-header">
        <h1>
          Run {run.run_number} of {moduleName}
        </h1>
        <span className={resultClass(live.result)} data-testid="run-result">
          {runOutcome({ result: live.result, stage: live.stage })}
        </span>
        {going && live.cancelRequested && <span className="badge badge-warn">Cancel requested</span>}
        <div className="ds-page-actions">
          {going && module.data && canUseModule(me, module.data.module) && (
            <button type="button" className="btn ds-btn-danger" onClick={() => setConfirming(true)} disabled={cancel.isPending || live.cancelRequested}>
              Cancel
            </button>
          )}
        </div>
      </div>
      <FormErrors error={cancel.error} />
      {confirming && (
        <CancelRunDialog
          runNumber={run.run_number}
          moduleName={moduleName}
          pending={cancel.isPending}
          onClose={() => setConfirming(false)}
          onConfirm={() => cancel.mutate(run.id, { onSettled: () => setConfirming(false) })}
        />
      )}

      <section className="panel mt-section">
        <dl className="ds-meta">
          <dt>Module</dt>
          <dd>
            <Link to={`/modules/${run.module}`}>{moduleName}</Link>
          </dd>
          <dt>Mode</dt>
          <dd>{run.mode}</dd>
          <dt>User</dt>
          <dd>{run.user}</dd>
          <dt>Stage</dt>
          <dd data-testid="run-stage">{live.stage}</dd>
          <dt>Started</dt>
          <dd>{formatDateTime(live.startedAt)}</dd>
          <dt>Ended</dt>
          <dd>{formatDateTime(live.endedAt)}</dd>
          <dt>Duration</dt>
          <dd>{formatDuration(live.startedAt, live.endedAt)}</dd>
          <dt>Module type version</dt>
          <dd>
            <Link to={`/module-type-versions/${run.type_version}`} data-testid="run-type-version">
              {run.module_type_name} version {run.type_version_number}
            </Link>
            {run.type_version_name && <span className="muted"> ({run.type_version_name})</span>}
          </dd>
          {run.worker && (
            <>
              <dt>Worker</dt>
              <dd>{run.worker}</dd>
            </>
          )}
        </dl>
      </section>

      {live.error && <RunErrorPanel error={live.error} steps={run.steps} typeVersion={run.type_version} />}

      <StepsSection run={run} live={live} />

      <section className="panel mt-section" aria-labelledby="run-datasets-heading">
        <h2 id="run-datasets-heading">Datasets</h2>
        {run.datasets.length === 0 ? (
          <p className="empty">{going ? 'Recorded when the run ends.' : 'No datasets were read or written.'}</p>
        ) : (
          <table className="table" data-testid="run-datasets">
            <thead>
              <tr>
                <th scope="col">Submodule</th>
                <th scope="col">Placeholder</th>
                <th scope="col">Read / written</th>
                <th scope="col">Dataset</th>
                <th scope="col">Version</th>
              </tr>
            </thead>
            <tbody>
              {run.datasets.map((d, i) => (
                <tr key={i}>
                  <td>{d.path || '—'}</td>
                  <td>
                    <code>{d.placeholder}</code>
                  </td>
                  <td>{d.direction === 'IN' ? 'read' : 'written'}</td>
                  <td>
                    <Link to={`/datasets/${d.dataset}`}>{d.dataset_name}</Link>
                  </td>
                  <td>{d.version ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="panel mt-section" aria-labelledby="run-parameters-heading">
        <h2 id="run-parameters-heading">Parameters</h2>
        {run.parameters.length === 0 ? (
          <p className="empty">{going ? 'Recorded when the run ends.' : 'No parameters.'}</p>
        ) : (
          <table className="table" data-testid="run-parameters">
            <thead>
              <tr>
                <th scope="col">Submodule</th>
                <th scope="col">Parameter</th>
                <th scope="col">Mode</th>
                <th scope="col">SQL type</th>
                <th scope="col">Input value</th>
                <th scope="col">Output value</th>
              </tr>
            </thead>
            <tbody>
              {run.parameters.map((p, i) => (
                <tr key={i}>
                  <td>{p.path || '—'}</td>
                  <td>
                    <code>{p.name}</code>
                  </td>
                  <td>{p.mode}</td>
                  <td>{p.sql_type}</td>
                  <td className="mono">{p.mode === 'OUT' ? '—' : showValue(p.input_value)}</td>
                  <td className="mono">{p.mode === 'IN' ? '—' : showValue(p.output_value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {live.steering.length > 0 && <SteeringHistory steering={live.steering} />}

      <LogSection live={live} />
    </div>
  );
}

/** The error, where it is in the algorithm, and the algorithm lines around it. */
function RunErrorPanel({ error, steps, typeVersion }: { error: RunError; steps: RunStep[]; typeVersion: number }) {
  const failed = steps.find((s) => s.error && (error.submodule == null || s.path === error.submodule || s.name === error.submodule));
  const versionId = failed?.type_version ?? typeVersion;
  const version = useModuleTypeVersion(error.line != null ? versionId : Number.NaN);
  const algorithm = version.data?.version.algorithm ?? '';
  const excerpt = useMemo(() => algorithmExcerpt(algorithm, error.line ?? null), [algorithm, error.line]);
  return (
    <section className="panel panel-error mt-section" role="alert" data-testid="run-error">
      <h2>Error</h2>
      <p>
        {error.submodule && <span className="mt-error-where">{error.submodule}: </span>}
        {error.line != null && (
          <span className="mt-error-where" data-testid="run-error-where">
            algorithm line {error.line}
            {error.column != null ? `, column ${error.column}` : ''}:{' '}
          </span>
        )}
        {withoutLocation(error.message, error.line, error.column)}
      </p>
      {error.detail && <p className="muted">Detail: {error.detail}</p>}
      {error.hint && <p className="muted">Hint: {error.hint}</p>}
      {excerpt.length > 0 && (
        <pre className="mono mod-excerpt" aria-label="Algorithm lines around the error">
          {excerpt.map((l) => (
            <div key={l.number} className={l.number === error.line ? 'mod-excerpt-hit' : undefined}>
              {String(l.number).padStart(4, ' ')} {l.text}
            </div>
          ))}
        </pre>
      )}
    </section>
  );
}

/** Two lines either side of `line` (1-based). */
export function algorithmExcerpt(algorithm: string, line: number | null): { number: number; text: string }[] {
  if (!algorithm || line == null || line < 1) return [];
  const lines = algorithm.split('\n');
  if (line > lines.length) return [];
  const from = Math.max(1, line - 2);
  const to = Math.min(lines.length, line + 2);
  const out: { number: number; text: string }[] = [];
  for (let n = from; n <= to; n += 1) out.push({ number: n, text: lines[n - 1] });
  return out;
}

function StepProgress({ step, ended }: { step: StepLive; ended: boolean }) {
  const figures = stepFigures(step);
  const written = Object.entries(step.written ?? {});
  return (
    <div className="ds-progress" data-testid={`progress-${step.path || 'module'}`}>
      <div className="ds-progress-label">
        <span>
          {step.state ? (
            <span className={`badge prog-state prog-state-${step.state}`} data-testid="scheduler-state" title="Scheduler state">
              {step.state}
            </span>
          ) : (
            (step.stage ?? '')
          )}
        </span>
        <span className="muted prog-figures" data-testid="step-figures">
          {[figures.rows, figures.rate, figures.elapsed && `${figures.elapsed} elapsed`].filter(Boolean).join(' · ')}
        </span>
      </div>
      {!ended && (
        <div
          className="ds-progress-track"
          role="progressbar"
          aria-label={`Progress of ${step.path || 'the module'}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={figures.percent ?? undefined}
        >
          <div className="ds-progress-fill" style={{ width: `${figures.percent ?? (step.stage === 'COMPLETED' ? 100 : 0)}%` }} />
        </div>
      )}
      {written.length > 0 && (
        <p className="muted prog-written" data-testid="step-written">
          Rows written{ended ? '' : ' so far'}:{' '}
          {written.map(([placeholder, rows], i) => (
            <span key={placeholder}>
              {i > 0 && ', '}
              <code>{placeholder}</code> {formatCount(rows)}
            </span>
          ))}
        </p>
      )}
    </div>
  );
}

/** Per (sub)module: live stage and progress, then its exact setup / user / teardown scripts. */
function StepsSection({ run, live }: { run: Run; live: RunLiveState }) {
  // Steering forms while the run goes; they stay after it ends (with any refusal) on a page that saw it going.
  const sawRunning = useRef(!live.result);
  const paths = [...new Set([...run.steps.map((s) => s.path), ...Object.keys(live.steps)])];
  return (
    <section className="panel mt-section" aria-labelledby="run-steps-heading">
      <h2 id="run-steps-heading">Modules and scripts</h2>
      {paths.length === 0 ? (
        <p className="empty">No (sub)module has started yet.</p>
      ) : (
        <div data-testid="run-steps">
          {paths.map((path) => {
            const step = run.steps.find((s) => s.path === path);
            const progress = live.steps[path];
            return (
              <div key={path || '(module)'} className="mod-step" data-testid={`step-${path || 'module'}`}>
                <div className="panel-title-row">
                  <h3 className="ds-subheading">{step?.name || path || 'Module'}</h3>
                  <span className="muted">{progress?.stage ?? step?.stage}</span>
                  {step?.result && <span className={resultClass(step.result)}>{step.result}</span>}
                  {step?.seconds != null && <span className="muted">{step.seconds.toFixed(2)} s</span>}
                </div>
                {progress && (!step?.result || progress.partial) && <StepProgress step={progress} ended={!!step?.result || !!live.result} />}
                {progress?.partial && (
                  <ProgressivePanel
                    path={path}
                    partial={progress.partial}
                    trend={progress.trend}
                    partials={progress.partials ?? 0}
                    ended={!!live.result}
                  />
                )}
                {progress?.partial && step && sawRunning.current && (
                  <SteeringForm
                    runId={run.id}
                    path={path}
                    typeVersion={step.type_version}
                    parameters={run.parameters}
                    stepParameters={step.parameters}
                    steering={live.steering}
                    partial={progress.partial}
                    running={!live.result && !step.result}
                  />
                )}
                {step && (
                  <div className="mod-scripts">
                    <Script title="Setup script" text={step.setup_script} />
                    <Script title="User script" text={step.user_script} />
                    <Script title="Teardown script" text={step.teardown_script} />
                  </div>
                )}
              </div>
            );
          })}
        </div>
      )}
    </section>
  );
}

/** The run's steering changes, oldest first. */
function SteeringHistory({ steering }: { steering: SteeringRecord[] }) {
  return (
    <section className="panel mt-section" aria-labelledby="run-steering-heading">
      <h2 id="run-steering-heading">Steering</h2>
      <table className="table ds-table-compact" data-testid="run-steering">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">User</th>
            <th scope="col">Submodule</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {steering.map((r, i) => (
            <tr key={i}>
              <td className="mono">{formatTime(r.at)}</td>
              <td>{r.user}</td>
              <td>{r.path || '—'}</td>
              <td className="mono">{describeChange(r.parameters)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Script({ title, text }: { title: string; text: string }) {
  return (
    <details className="mod-script">
      <summary>{title}</summary>
      {text ? <pre className="mono">{text}</pre> : <p className="muted">Not recorded.</p>}
    </details>
  );
}

function LogSection({ live }: { live: RunLiveState }) {
  const [levels, setLevels] = useState<Set<string>>(new Set());
  const present = [...new Set([...LEVELS.filter((l) => live.log.some((x) => x.level === l)), ...live.log.map((l) => l.level)])];
  const lines = filterLog(live.log, levels);
  return (
    <section className="panel mt-section" aria-labelledby="run-log-heading">
      <div className="panel-title-row">
        <h2 id="run-log-heading">Log</h2>
        {present.map((level) => (
          <label key={level} className="ds-checkbox">
            <input
              type="checkbox"
              checked={levels.has(level)}
              onChange={(e) =>
                setLevels((s) => {
                  const next = new Set(s);
                  if (e.target.checked) next.add(level);
                  else next.delete(level);
                  return next;
                })
              }
            />
            {level}
          </label>
        ))}
      </div>
      {lines.length === 0 ? (
        <p className="empty">No log lines{levels.size ? ' at these levels' : ''}.</p>
      ) : (
        <table className="table ds-table-compact mod-log" data-testid="run-log">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Level</th>
              <th scope="col">Submodule</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l, i) => (
              <tr key={i} className={`mod-log-${l.level.toLowerCase()}`}>
                <td className="mono">{formatTime(l.at)}</td>
                <td>
                  <span className={`badge mod-level mod-level-${l.level.toLowerCase()}`}>{l.level}</span>
                </td>
                <td>{l.path || '—'}</td>
                <td className="mod-log-message">{l.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
