import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { useCancelRun } from '../../api/hooks/useCancelRun';
import { useDatasetTypes } from '../../api/hooks/useDatasetTypes';
import { useMe } from '../../api/hooks/useMe';
import { fetchModule, moduleDetailKey, useModule, type ModuleWithEtag } from '../../api/hooks/useModule';
import { useModuleStatus } from '../../api/hooks/useModuleStatus';
import { useModuleTypeVersion } from '../../api/hooks/useModuleTypeVersion';
import { useRun } from '../../api/hooks/useRun';
import { useRunModule } from '../../api/hooks/useRunModule';
import { useUpdateModule } from '../../api/hooks/useUpdateModule';
import { useValidateModule } from '../../api/hooks/useValidateModule';
import type { Module, ModuleStatus, ModuleValidationResult } from '../../api/types';
import { ErrorPanel, errorMessage } from '../../components/ErrorPanel';
import { FormErrors } from '../../components/FormErrors';
import { pushToast } from '../../components/Toasts';
import { ProjectSelect, TextAreaField, TextField } from '../../components/FormFields';
import { Tabs, type TabDef } from '../../components/Tabs';
import { formatDateTime } from '../../format';
import { ConflictNotice } from '../../editing/ConflictNotice';
import { useEditSession } from '../../editing/useEditSession';
import { writableProjects } from '../../permissions';
import { CopyModuleDialog } from './CopyModuleDialog';
import { FinalizeModuleDialog } from './FinalizeModuleDialog';
import { DatasetBindings, RunDatasetLinks } from './DatasetBindings';
import { changesFrom, draftFromModule, draftProblems, isDirty, type ModuleDraft } from './draft';
import { runOutcome } from './format';
import { editorTab } from './editorTab';
import { CancelRunDialog } from './CancelRunDialog';
import { HistoryTable } from './HistoryTable';
import { InternalKeep } from './InternalKeep';
import { ParameterBindings } from './ParameterBindings';
import { parameterErrors } from './parameterErrors';
import { unsuccessfulRun } from './runResult';
import { canEditModule, canFinalizeModule, canRemoveModule, canUseModule } from './permissions';
import { RemoveModuleDialog } from './RemoveModuleDialog';
import { StatusBadge } from './StatusBadge';
import { StatusDialog } from './StatusDialog';
import { TypeDefinition } from './TypeDefinition';
import { useModuleLive } from './useModuleLive';
import { overridesText, pendingBadge, refusalHint, type RunMode } from './aggregation';
import { AggregationPanel } from './AggregationPanel';
import { RunWithParametersDialog } from './RunWithParametersDialog';

/** EMF's View/Edit Module window. */
export function ModuleEditorPage() {
  const id = Number(useParams().id);
  const query = useModule(id);
  if (query.isPending) return <p className="muted">Loading…</p>;
  if (!query.data) {
    return (
      <div className="page">
        <ErrorPanel title="Could not load the module" error={query.error} onRetry={() => void query.refetch()} />
        <p>
          <Link to="/modules">Back to Modules</Link>
        </p>
      </div>
    );
  }
  return <ModuleEditor key={id} loaded={query.data} />;
}

/** What says the server's module changed (finalizing, a run, a status flip do not change the bindings). */
function serverStamp({ module, etag }: ModuleWithEtag): string {
  return [etag, module.revision, module.is_final, module.last_modified].join('|');
}

function isRunning(module: Module): boolean {
  return !!module.last_run && !module.last_run.result;
}

function ModuleEditor({ loaded }: { loaded: ModuleWithEtag }) {
  const { data: me } = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const module = loaded.module; // live fields (status, last run, lock) from the freshest copy
  const id = module.id;
  const typeVersion = useModuleTypeVersion(module.type_version);
  const datasetTypes = useDatasetTypes();

  // ------------------------------------------------------------------ the edit session, live
  const mayEdit = canEditModule(me, module);
  const session = useEditSession<ModuleWithEtag, ModuleDraft>({
    loaded,
    toDraft: (s) => draftFromModule(s.module),
    etagOf: (s) => s.etag,
    stampOf: serverStamp,
    equal: (a, b) => !isDirty(a, b),
    refetch: () => queryClient.fetchQuery({ queryKey: moduleDetailKey(id), queryFn: () => fetchModule(id), staleTime: 0 }),
    mayEdit,
    me: me?.username,
    lock: { target: 'modules', id, initial: loaded.module.lock },
  });
  const { base, draft, dirty, readOnly } = session;
  const baseDraft = useMemo(() => draftFromModule(base.module), [base.module]);
  useModuleLive(id);

  const statusQuery = useModuleStatus(id);
  const status: ModuleStatus | undefined =
    statusQuery.data ?? (module.status ? { status: module.status, reasons: module.reasons ?? [] } : undefined);

  // ------------------------------------------------------------------ actions
  const [notice, setNotice] = useState<string | null>(null);
  const update = useUpdateModule();
  const validate = useValidateModule();
  const [validation, setValidation] = useState<ModuleValidationResult | null>(null);
  /** The parameter values the last save sent and the saved ones the last Validate checked. */
  const [checkedValues, setCheckedValues] = useState<{ saved: Record<string, string> | null; validated: Record<string, string | null> | null }>({
    saved: null,
    validated: null,
  });
  const run = useRunModule();
  const cancel = useCancelRun();
  const [dialog, setDialog] = useState<'status' | 'finalize' | 'copy' | 'remove' | 'cancel' | 'parameters' | null>(null);
  const aggregation = module.aggregation ?? null;
  const pending = pendingBadge(aggregation);

  const edit = (next: ModuleDraft) => {
    setNotice(null);
    session.edit(next);
  };

  const save = () => {
    setCheckedValues((c) => ({ ...c, saved: draft.parameter_bindings }));
    update.mutate(
      { id, changes: changesFrom(baseDraft, draft), etag: base.etag },
      {
        onSuccess: (result) => {
          session.saved(result);
          setValidation(null);
          setNotice('Saved.');
        },
        onError: session.saveFailed,
      },
    );
  };

  const lastRunId = module.last_run?.id ?? null;
  const lastRun = useRun(lastRunId ?? Number.NaN);
  const running = isRunning(module);
  const lastRunOk = lastRun.data?.result === 'SUCCESS';

  // ------------------------------------------------------------------ a run's result, live
  /** The run this browser started (its "started" note gives way to the result once it ends). */
  const [startedRun, setStartedRun] = useState<{ id: number; number: number; mode: RunMode; parameters: Record<string, string> } | null>(null);
  const startedWhat = startedRun
    ? `${startedRun.mode === 'process' ? 'Process' : 'Run'} ${startedRun.number}${
        Object.keys(startedRun.parameters).length ? ` (${overridesText(startedRun.parameters)})` : ''
      }`
    : '';
  const shownRun = module.last_run
    ? { ...module.last_run, error: module.last_run.error ?? (lastRun.data?.id === module.last_run.id ? lastRun.data.error : null) }
    : null;
  const failure = unsuccessfulRun(shownRun);
  const startedPending = !!startedRun && !(module.last_run?.id === startedRun.id && module.last_run.result);
  const startedSucceeded = !!startedRun && module.last_run?.id === startedRun.id && module.last_run.result === 'SUCCESS';
  const previousRun = useRef(module.last_run);
  useEffect(() => {
    const before = previousRun.current;
    previousRun.current = module.last_run;
    const now = shownRun;
    if (!now?.result || now.result === 'SUCCESS') return;
    const seenGoing = before?.id === now.id && !before.result;
    const mine = startedRun?.id === now.id && before?.id !== now.id;
    if (!seenGoing && !mine) return;
    const what = unsuccessfulRun(now);
    if (what) {
      pushToast({
        id: `run-${now.id}`,
        kind: now.result === 'CANCELLED' ? 'warn' : 'error',
        title: `${module.name}: ${what.title}`,
        detail: what.detail,
        link: { to: `/runs/${now.id}`, label: 'Open the run' },
      });
    }
    // Only a new last run (or its result) matters here.
  }, [module.last_run?.id, module.last_run?.result]); // eslint-disable-line react-hooks/exhaustive-deps

  const badValues = parameterErrors(
    { saveError: update.error, savedValues: checkedValues.saved, validation, validatedValues: checkedValues.validated },
    draft.parameter_bindings,
  );
  const version = typeVersion.data?.version;
  const problems = version ? draftProblems(draft, version.dataset_slots, version.parameter_slots) : [];
  const projects = writableProjects(me);
  const projectName = module.project_name ?? me?.projects.find((p) => p.id === module.project)?.name ?? String(module.project);

  const tabs: TabDef[] = [
    { id: 'summary', label: 'Summary' },
    { id: 'datasets', label: 'Datasets' },
    { id: 'parameters', label: 'Parameters' },
    ...(version?.kind === 'composite' ? [{ id: 'internal', label: 'Internal' }] : []),
    { id: 'algorithm', label: version?.kind === 'composite' ? 'Diagram' : 'Algorithm' },
    ...(aggregation ? [{ id: 'aggregation', label: 'Aggregation' }] : []),
    { id: 'history', label: 'History' },
  ];
  // The tab is in the URL (?tab=history), so Back from a run lands on the tab it was opened from.
  const [searchParams, setSearchParams] = useSearchParams();
  const tab = editorTab(searchParams.get('tab'), version?.kind);
  const [visited, setVisited] = useState(() => new Set([tab]));
  const select = (next: string) => {
    const params = new URLSearchParams(searchParams);
    if (next === 'summary') params.delete('tab');
    else params.set('tab', next);
    setSearchParams(params, { replace: true });
    setVisited((v) => new Set(v).add(next));
  };

  const renderTab = (which: string) => {
    if (!version) {
      return typeVersion.isError ? (
        <ErrorPanel title="Could not load the module type version" error={typeVersion.error} onRetry={() => void typeVersion.refetch()} />
      ) : (
        <p className="muted">Loading…</p>
      );
    }
    switch (which) {
      case 'summary':
        return (
          <div className="mt-summary">
            <dl className="ds-meta">
              <dt>Module type</dt>
              <dd>
                <Link to={`/module-type-versions/${module.type_version}`}>
                  {module.type_name} v{module.type_version_number}
                </Link>{' '}
                ({version.kind}){version.is_final ? ' · final' : ' · not final'}
              </dd>
              <dt>Creator</dt>
              <dd>{module.creator_name || module.creator}</dd>
              <dt>Created</dt>
              <dd>{formatDateTime(module.created_at)}</dd>
              <dt>Last modified</dt>
              <dd>{formatDateTime(module.last_modified)}</dd>
              <dt>Final</dt>
              <dd>{module.is_final ? 'Yes' : 'No'}</dd>
              <dt>Last run</dt>
              <dd>
                {module.last_run ? (
                  <Link to={`/runs/${module.last_run.id}`}>
                    Run {module.last_run.number}: {runOutcome(module.last_run)}
                  </Link>
                ) : (
                  'Never run'
                )}
              </dd>
            </dl>
            <div>
              <TextField
                id="module-name"
                label="Name"
                value={draft.name}
                maxLength={200}
                disabled={readOnly}
                onChange={(name) => edit({ ...draft, name })}
              />
              <TextAreaField
                id="module-description"
                label="Description"
                value={draft.description}
                disabled={readOnly}
                onChange={(description) => edit({ ...draft, description })}
              />
              <TextField
                id="module-tags"
                label="Tags"
                value={draft.tags}
                placeholder="comma separated"
                disabled={readOnly}
                onChange={(tags) => edit({ ...draft, tags })}
              />
              <TextField
                id="module-deadline"
                label="Deadline (seconds, per step)"
                value={draft.deadline}
                placeholder="the deployment's"
                disabled={readOnly}
                onChange={(deadline) => edit({ ...draft, deadline })}
              />
              <ProjectSelect
                id="module-project"
                projects={projects}
                value={String(draft.project)}
                current={{ id: module.project, name: projectName }}
                disabled={readOnly}
                onChange={(project) => edit({ ...draft, project: Number(project) })}
              />
            </div>
          </div>
        );
      case 'datasets':
        return (
          <>
            <DatasetBindings
              slots={version.dataset_slots}
              draft={draft}
              onChange={edit}
              readOnly={readOnly}
              datasetTypes={datasetTypes.data ?? []}
              lastRunDatasets={lastRun.data?.datasets ?? []}
            />
            {lastRun.data && lastRun.data.datasets.some((d) => d.path) && (
              <section className="mt-section">
                <h3 className="ds-subheading">Internal datasets of the last run</h3>
                <RunDatasetLinks records={lastRun.data.datasets.filter((d) => d.path)} />
              </section>
            )}
          </>
        );
      case 'parameters':
        return (
          <ParameterBindings
            slots={version.parameter_slots}
            draft={draft}
            onChange={edit}
            readOnly={readOnly}
            lastRunParameters={lastRunOk ? (lastRun.data?.parameters ?? []) : null}
            errors={badValues}
          />
        );
      case 'internal':
        return <InternalKeep graph={version.graph} draft={draft} onChange={edit} readOnly={readOnly} />;
      case 'algorithm':
        return <TypeDefinition version={version} datasetTypes={datasetTypes.data ?? []} />;
      case 'aggregation':
        return aggregation ? <AggregationPanel aggregation={aggregation} /> : <p className="empty">This module has no aggregation.</p>;
      case 'history':
        return <HistoryTable moduleId={id} />;
      default:
        return null;
    }
  };

  const [runMode, setRunMode] = useState<RunMode>('run');
  const started = (r: { id: number; run_number: number }, mode: RunMode, parameters: Record<string, string> = {}) => {
    setNotice(null);
    setStartedRun({ id: r.id, number: r.run_number, mode, parameters });
  };
  const startRun = (mode: RunMode = 'run') => {
    setRunMode(mode);
    run.mutate({ id, mode }, { onSuccess: (r) => started(r, mode) });
  };
  const runHint = refusalHint(run.error, runMode);

  return (
    <div className="page mod-editor">
      <p className="mt-breadcrumb">
        <Link to="/modules">Modules</Link> /
      </p>
      <div className="page-header">
        <h1>{module.name}</h1>
        <StatusBadge status={status?.status} testId="module-status" />
        <button type="button" className="btn btn-small" onClick={() => setDialog('status')}>
          Status
        </button>
        {pending && (
          <span className="badge agg-pending" title={pending.title} data-testid="process-pending">
            {pending.label}
          </span>
        )}
        {module.is_final && (
          <span className="badge badge-ok" data-testid="final-badge">
            Final
          </span>
        )}
        {dirty && <span className="badge badge-warn">Unsaved changes</span>}
        <div className="ds-page-actions">
          {canUseModule(me, module) && (
            <button
              type="button"
              className="btn"
              onClick={() => {
                setCheckedValues((c) => ({ ...c, validated: baseDraft.parameter_bindings }));
                validate.mutate(id, { onSuccess: setValidation });
              }}
              disabled={validate.isPending}
              title={dirty ? 'Validates the saved module: save first to include your changes' : undefined}
            >
              Validate
            </button>
          )}
          {mayEdit && (
            <button type="button" className="btn btn-primary" onClick={save} disabled={readOnly || !dirty || update.isPending}>
              Save
            </button>
          )}
          {canUseModule(me, module) &&
            (running ? (
              <button
                type="button"
                className="btn ds-btn-danger"
                onClick={() => setDialog('cancel')}
                disabled={cancel.isPending}
              >
                Cancel run
              </button>
            ) : (
              <>
                <button
                  type="button"
                  className="btn"
                  onClick={() => startRun('run')}
                  disabled={run.isPending || dirty}
                  title={dirty ? 'Save your changes first' : aggregation ? 'Run mode: aggregate this run into the state' : undefined}
                >
                  Run
                </button>
                {aggregation && (
                  <button
                    type="button"
                    className="btn"
                    onClick={() => startRun('process')}
                    disabled={run.isPending || dirty}
                    title={dirty ? 'Save your changes first' : 'Process mode: pass the aggregated state on, then clear it'}
                  >
                    Process
                  </button>
                )}
                {version && version.parameter_slots.some((p) => p.mode !== 'OUT') && (
                  <button
                    type="button"
                    className="btn"
                    onClick={() => setDialog('parameters')}
                    disabled={run.isPending || dirty}
                    title={dirty ? 'Save your changes first' : 'Run with parameter values for this run only'}
                  >
                    Run with parameters…
                  </button>
                )}
              </>
            ))}
          {canUseModule(me, module) && (
            <button type="button" className="btn" onClick={() => setDialog('copy')}>
              Copy
            </button>
          )}
          {canFinalizeModule(me, module) && (
            <button
              type="button"
              className="btn"
              onClick={() => setDialog('finalize')}
              disabled={dirty}
              title={dirty ? 'Save your changes first' : undefined}
            >
              Finalize…
            </button>
          )}
          {canRemoveModule(me, module) && (
            <button type="button" className="btn ds-btn-danger" onClick={() => setDialog('remove')}>
              Remove…
            </button>
          )}
        </div>
      </div>

      <ConflictNotice
        session={session}
        noun="module"
        me={me}
        mayEdit={mayEdit}
        editsText={JSON.stringify(changesFrom(baseDraft, draft), null, 2)}
        onSave={save}
        saving={update.isPending}
      />
      {module.is_final && (
        <p className="ds-notice" data-testid="read-only-note">
          This module is final: it can be viewed and run but never changed.
        </p>
      )}
      {!mayEdit && !module.is_final && (
        <p className="ds-notice" data-testid="read-only-note">
          You can view this module but not change it.
        </p>
      )}

      {running && module.last_run && (
        <p className="ds-notice" role="status" data-testid="run-in-progress">
          Run {module.last_run.number} is going. <Link to={`/runs/${module.last_run.id}`}>Watch it live</Link>
        </p>
      )}
      {notice && (
        <p className="ds-notice-ok" role="status">
          {notice}
        </p>
      )}
      {startedRun && startedPending && !running && (
        <p className="ds-notice-ok" role="status">
          {startedWhat} started.
        </p>
      )}
      {startedSucceeded && module.last_run && (
        <p className="ds-notice-ok" role="status" data-testid="run-result">
          <Link to={`/runs/${module.last_run.id}`}>{startedWhat}</Link> finished: SUCCESS.
        </p>
      )}
      {failure && module.last_run && !running && (
        <div className="run-failed" role="alert" data-testid="run-result">
          <strong>{failure.title}</strong>
          {failure.detail && <>: {failure.detail}</>}{' '}
          <Link to={`/runs/${module.last_run.id}`}>Open the run</Link>
        </div>
      )}
      {(run.error || cancel.error) != null && <FormErrors error={run.error ?? cancel.error} extra={run.error && runHint ? [runHint] : []} />}

      {update.error != null && !session.conflict && <FormErrors error={update.error} />}
      {!readOnly && problems.length > 0 && (
        <div className="ds-notice" data-testid="draft-problems">
          <p>Before it can run:</p>
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      {(validation || validate.error != null) && (
        <section className="panel mt-section" data-testid="validation">
          <div className="panel-title-row">
            <h2>Validation</h2>
            {validation && (
              <span className={`badge ${validation.valid ? 'badge-ok' : 'badge-failed'}`} data-testid="validation-status">
                {validation.valid ? 'valid' : `${validation.errors.length} problem${validation.errors.length === 1 ? '' : 's'}`}
              </span>
            )}
          </div>
          {validate.error != null && <p className="form-error">Could not validate: {errorMessage(validate.error)}</p>}
          {validation?.valid && <p className="muted">The module is valid.</p>}
          {validation && validation.errors.length > 0 && (
            <ul className="mt-errors">
              {validation.errors.map((e, i) => (
                <li key={i}>
                  {e.slot && <span className="mt-error-where">{e.slot}: </span>}
                  {e.message}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}

      <Tabs tabs={tabs} active={tab} onSelect={select} visited={visited} render={renderTab} />

      {dialog === 'status' && (
        <StatusDialog
          moduleName={module.name}
          status={status}
          loading={statusQuery.isPending}
          error={statusQuery.error}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'finalize' && (
        <FinalizeModuleDialog
          module={module}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            setNotice('The module is final.');
          }}
        />
      )}
      {dialog === 'parameters' && version && (
        <RunWithParametersDialog
          module={module}
          slots={version.parameter_slots}
          onClose={() => setDialog(null)}
          onStarted={(r, mode, parameters) => {
            setDialog(null);
            run.reset();
            started(r, mode, parameters);
          }}
        />
      )}
      {dialog === 'copy' && (
        <CopyModuleDialog module={module} onClose={() => setDialog(null)} onCopied={(copy) => void navigate(`/modules/${copy.id}`)} />
      )}
      {dialog === 'remove' && <RemoveModuleDialog module={module} onClose={() => setDialog(null)} onRemoved={() => void navigate('/modules')} />}
      {dialog === 'cancel' && (
        <CancelRunDialog
          runNumber={module.last_run?.number ?? null}
          moduleName={module.name}
          pending={cancel.isPending}
          error={cancel.error}
          onClose={() => setDialog(null)}
          onConfirm={() =>
            lastRunId &&
            cancel.mutate(lastRunId, {
              onSuccess: () => {
                setDialog(null);
                setNotice('Cancel requested.');
              },
            })
          }
        />
      )}
    </div>
  );
}
