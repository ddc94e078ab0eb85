import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useStore } from 'zustand';
import { isApiError } from '../../api/client';
import { useDatasetTypes } from '../../api/hooks/useDatasetTypes';
import { useMe } from '../../api/hooks/useMe';
import { useModuleType } from '../../api/hooks/useModuleType';
import {
  fetchModuleTypeVersion,
  moduleTypeVersionQueryKey,
  useModuleTypeVersion,
  type ModuleTypeVersionWithEtag,
} from '../../api/hooks/useModuleTypeVersion';
import { useModuleTypeVersions } from '../../api/hooks/useModuleTypeVersions';
import { useSqlTypes } from '../../api/hooks/useSqlTypes';
import { useUpdateModuleTypeVersion } from '../../api/hooks/useUpdateModuleTypeVersion';
import { validateModuleTypeVersionQuery } from '../../api/hooks/useValidateModuleTypeVersion';
import type { AggregationSqlField, CompositeGraph, UsedBy, ValidationResult } from '../../api/types';
import { ErrorPanel, errorMessage } from '../../components/ErrorPanel';
import { ConflictNotice } from '../../editing/ConflictNotice';
import { useDebouncedValue } from '../../editing/useDebouncedValue';
import { useEditSession } from '../../editing/useEditSession';
import { formatDateTime } from '../../format';
import { useTopic } from '../../live/useTopic';
import { canWriteProject } from '../../permissions';
import { aggregationDefaults, errorsOfField, fieldLabel } from './aggregation';
import { AggregationSqlEditors } from './AggregationSqlEditors';
import {
  completionSlots,
  draftFromVersion,
  draftsEqual,
  isUsed,
  newDatasetSlot,
  newParameterSlot,
  rebaseDraft,
  slotProblems,
  updateBody,
  usedByFromError,
  validationBody,
  type VersionDraft,
} from './draft';
import { FinalizeDialog } from './FinalizeDialog';
import { DiagramEditor } from './graph/DiagramEditor';
import { humanizeMessage } from './graph/flow';
import { graphsEqual, normalizeGraph, renameOwnSlot, type GraphContext, type VersionInfo, type VersionSlots } from './graph/graph';
import { createDiagramStore } from './graph/store';
import { canEditVersion, canFinalizeVersion } from './permissions';
import { ReadOnlyMark } from './ReadOnlyMark';
import { SaveDialog } from './SaveDialog';
import { DatasetSlotsTable, ParameterSlotsTable } from './SlotTables';
import { AlgorithmEditor } from './sql/AlgorithmEditor';
import { diagnosticsFromErrors, withoutLocation } from './sql/diagnostics';
import { UsageList } from './UsageList';

export const VALIDATE_DEBOUNCE_MS = 600;

/** EMF's Module Type Version Editor (Version Properties): metadata, slots, algorithm or diagram, notes. */
export function VersionEditorPage() {
  const id = Number(useParams().id);
  const query = useModuleTypeVersion(id);
  if (query.isPending) return <p className="muted">Loading…</p>;
  if (!query.data) {
    return (
      <div className="page">
        <ErrorPanel title="Could not load the module type version" error={query.error} onRetry={() => void query.refetch()} />
        <p>
          <Link to="/module-types">Back to Module Types</Link>
        </p>
      </div>
    );
  }
  return <VersionEditor key={id} loaded={query.data} refetch={async () => (await query.refetch()).data} />;
}

/** What says the server's version changed (finalizing, for one, does not change the ETag). */
function serverStamp({ version, etag }: ModuleTypeVersionWithEtag): string {
  return [etag, version.revision, version.is_final, version.last_modified, version.revision_notes.length].join('|');
}

interface ValidationState {
  result: ValidationResult | null;
  /** The algorithm text that was validated (diagnostics apply to it). */
  algorithm: string | null;
  /** The aggregation SQL texts that were validated. */
  fields: Record<AggregationSqlField, string | null>;
  pending: boolean;
  error: unknown;
}

function VersionEditor({ loaded, refetch }: { loaded: ModuleTypeVersionWithEtag; refetch: () => Promise<ModuleTypeVersionWithEtag | undefined> }) {
  const { data: me } = useMe();
  const kind = loaded.version.kind;
  const moduleType = useModuleType(loaded.version.module_type);
  const datasetTypes = useDatasetTypes();
  const sqlTypes = useSqlTypes();
  const [store] = useState(() => createDiagramStore(normalizeGraph(loaded.version.graph)));
  const graph = useStore(store, (s) => s.history.present);
  // Editing needs the rights; the module type's edit lock (one editor at a time, EMF) is taken by the
  // first change, not by opening.
  const mayEdit = canEditVersion(me, moduleType.data?.project, loaded.version);
  const [baseGraphOf, setBaseGraphOf] = useState(() => normalizeGraph(loaded.version.graph));
  const graphDirty = kind === 'composite' && !graphsEqual(graph, baseGraphOf);
  const session = useEditSession<ModuleTypeVersionWithEtag, VersionDraft>({
    loaded,
    toDraft: (s) => draftFromVersion(s.version),
    etagOf: (s) => s.etag,
    stampOf: serverStamp,
    equal: draftsEqual,
    rebase: rebaseDraft,
    refetch,
    mayEdit,
    me: me?.username,
    lock: { target: 'module-types', id: loaded.version.module_type, initial: moduleType.data?.lock },
    outside: {
      dirty: graphDirty,
      matches: (l) => kind !== 'composite' || graphsEqual(normalizeGraph(l.version.graph), graph),
    },
    onReset: (server, keepMine) => {
      const fresh = normalizeGraph(server.version.graph);
      const current = store.getState().history.present;
      // Keeping mine replays my diagram too, unless I did not touch it.
      if (!(keepMine && graphDirty) && !graphsEqual(current, fresh)) store.getState().reset(fresh);
      setBaseGraphOf(fresh);
    },
  });
  const { base, draft, dirty, readOnly } = session;
  const version = base.version;
  const editable = !readOnly;
  const { startEditing } = session;
  useEffect(() => {
    if (graphDirty) startEditing();
  }, [graphDirty, startEditing]);
  // Validating is a POST: the project's modelers and admins (viewers would get 403).
  const canValidate = canWriteProject(me, moduleType.data?.project);

  // Saves by others are announced on the module type's topic: refetch, then the effect below decides.
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: moduleTypeVersionQueryKey(version.id) });
  useTopic<{ version?: number }>(
    `module-type:${version.module_type}`,
    (event) => {
      if (event.type === 'type_version_changed' && event.data?.version === version.id) refresh();
    },
    refresh,
  );

  const [notice, setNotice] = useState<string | null>(null);
  const [saveOpen, setSaveOpen] = useState(false);
  const [dependents, setDependents] = useState<UsedBy | null>(null);
  const [finalizeOpen, setFinalizeOpen] = useState(false);
  const update = useUpdateModuleTypeVersion();

  // ------------------------------------------------------------------ validation
  // The draft's validation: a query keyed by the draft, once it has settled for VALIDATE_DEBOUNCE_MS.
  const draftBody = useMemo(() => validationBody(kind, draft, kind === 'composite' ? graph : null), [kind, draft, graph]);
  const checked = useDebouncedValue(editable ? draftBody : undefined, VALIDATE_DEBOUNCE_MS);
  const [checkSaved, setCheckSaved] = useState(false);
  const validationQuery = useQuery({
    ...validateModuleTypeVersionQuery(version.id, checked),
    enabled: canValidate && (checked ? editable : checkSaved),
  });
  const checkedText = checked ? (checked.algorithm ?? null) : version.algorithm;
  const checkedFields = {
    aggregate_sql: checked ? (checked.aggregate_sql ?? null) : (version.aggregate_sql ?? ''),
    process_sql: checked ? (checked.process_sql ?? null) : (version.process_sql ?? ''),
    clear_sql: checked ? (checked.clear_sql ?? null) : (version.clear_sql ?? ''),
  };
  const shownText = useRef<string | null>(null);
  const shownFields = useRef<Record<AggregationSqlField, string | null>>({ aggregate_sql: null, process_sql: null, clear_sql: null });
  if (validationQuery.data && !validationQuery.isPlaceholderData) {
    shownText.current = checkedText;
    shownFields.current = checkedFields;
  }
  const validation: ValidationState = {
    result: validationQuery.data ?? null,
    algorithm: shownText.current,
    fields: shownFields.current,
    pending: validationQuery.isFetching,
    error: validationQuery.error,
  };
  const validateNow = () => {
    if (canValidate && (checked ? editable : checkSaved)) void validationQuery.refetch();
    else setCheckSaved(true);
  };

  const errors = useMemo(() => validation.result?.errors ?? [], [validation.result]);
  const diagnostics = useMemo(
    () => diagnosticsFromErrors(validation.algorithm ?? draft.algorithm, errorsOfField(errors, null)),
    // Positions are for the validated text.
    [validation.algorithm, errors], // eslint-disable-line react-hooks/exhaustive-deps
  );

  // ------------------------------------------------------------------ saving
  const save = (note: string, confirmDependents: boolean, leaving = false) => {
    update.mutate(
      {
        id: version.id,
        changes: updateBody(kind, draft, kind === 'composite' ? graph : null, note, confirmDependents),
        etag: base.etag,
      },
      {
        onSuccess: (result) => {
          session.saved(result);
          setSaveOpen(false);
          setDependents(null);
          setNotice('Saved.');
        },
        onError: (error) => {
          if (session.saveFailed(error)) {
            setSaveOpen(false);
            setDependents(null);
          } else if (isApiError(error) && error.code === 'has_dependents') {
            // Leaving asked to save: stay, and let the Save dialog say who depends on the version.
            if (leaving) session.blocker.reset?.();
            setSaveOpen(true);
            setDependents(usedByFromError(error) ?? { modules: [], composites: [] });
          }
        },
      },
    );
  };

  const reload = async () => {
    await session.reload();
    setNotice(null);
  };
  const editsText = JSON.stringify(kind === 'composite' ? { ...draft, graph } : draft, null, 2);

  // ------------------------------------------------------------------ slots
  const renameOwn = (renamed?: { from: string; to: string }) => {
    if (kind !== 'composite' || !renamed) return;
    const s = store.getState();
    s.dragTo(renameOwnSlot(s.history.present, renamed.from, renamed.to));
  };
  const setField = <K extends keyof VersionDraft>(key: K, value: VersionDraft[K]) => {
    setNotice(null);
    session.edit((d) => ({ ...d, [key]: value }));
  };

  const typeList = useMemo(() => datasetTypes.data ?? [], [datasetTypes.data]);
  const slotsForCompletion = useMemo(() => completionSlots(draft, typeList), [draft, typeList]);
  const datasetTypeNames = useMemo(() => new Map(typeList.map((t) => [String(t.id), t.name])), [typeList]);

  // ------------------------------------------------------------------ composite context
  const palette = useModuleTypeVersions({}, kind === 'composite');
  const paletteItems = useMemo(() => palette.data ?? [], [palette.data]);
  const missingIds = useMemo(() => {
    const known = new Set(paletteItems.map((v) => v.id));
    return [...new Set(graph.submodules.map((s) => s.version))].filter((vid) => !known.has(vid));
  }, [graph.submodules, paletteItems]);
  const missing = useQueries({
    queries: (palette.isPending ? [] : missingIds).map((vid) => ({
      queryKey: [...moduleTypeVersionQueryKey(vid), 'detail'] as const,
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchModuleTypeVersion(vid, signal),
      retry: false,
    })),
  });
  const missingVersions = missing.map((m) => m.data?.version).filter((v) => !!v);
  const missingKey = missingVersions.map((v) => `${v.id}:${v.revision}`).join(',');
  const versionInfos = useMemo(() => {
    const map = new Map<number, VersionInfo>();
    for (const v of paletteItems) map.set(v.id, v);
    for (const v of missingVersions) map.set(v.id, v);
    return map;
    // missingVersions is a new array each render; missingKey says when it changed.
  }, [paletteItems, missingKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const ctx: GraphContext = useMemo(() => {
    const versions = new Map<number, VersionSlots>();
    for (const [vid, v] of versionInfos) versions.set(vid, { dataset_slots: v.dataset_slots, parameter_slots: v.parameter_slots });
    return {
      own: { dataset_slots: draft.dataset_slots, parameter_slots: draft.parameter_slots },
      versions,
      datasetTypeNames,
    };
  }, [versionInfos, draft.dataset_slots, draft.parameter_slots, datasetTypeNames]);
  const paletteChoices = useMemo(() => paletteItems.filter((v) => v.id !== version.id), [paletteItems, version.id]);

  const problems = slotProblems(draft);
  const used = version.used_by;
  const projectName = me?.projects.find((p) => p.id === moduleType.data?.project)?.name;

  return (
    <div className="page mt-editor">
      <p className="mt-breadcrumb">
        <Link to="/module-types">Module Types</Link> / <Link to={`/module-types/${version.module_type}`}>{version.module_type_name}</Link> /
      </p>
      <div className="page-header">
        <h1>
          {version.module_type_name} — version {version.number}
        </h1>
        <span className="badge">{kind}</span>
        {kind === 'progressive' && <ReadOnlyMark />}
        {version.is_final ? (
          <span className="badge badge-ok" data-testid="final-badge">
            Final
          </span>
        ) : (
          <span className="badge">Not final</span>
        )}
        {dirty && <span className="badge badge-warn">Unsaved changes</span>}
        <div className="ds-page-actions">
          {canValidate && (
            <button type="button" className="btn" onClick={validateNow} disabled={validation.pending}>
              Validate
            </button>
          )}
          {editable && (
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => {
                update.reset();
                setDependents(null);
                setSaveOpen(true);
              }}
              disabled={!dirty || update.isPending}
            >
              Save
            </button>
          )}
          {canFinalizeVersion(me, version) && (
            <button
              type="button"
              className="btn"
              onClick={() => setFinalizeOpen(true)}
              disabled={dirty}
              title={dirty ? 'Save your changes first' : 'Finalize this version (and its submodules)'}
            >
              Finalize…
            </button>
          )}
        </div>
      </div>

      <ConflictNotice
        session={session}
        noun="version"
        lockNoun="module type"
        me={me}
        mayEdit={mayEdit}
        editsText={editsText}
        onSave={() => save('', false, true)}
        saving={update.isPending}
      />
      {version.is_final && (
        <p className="ds-notice" data-testid="read-only-note">
          This version is final: it can be viewed but never changed. Make a new version in the{' '}
          <Link to={`/module-types/${version.module_type}`}>Version Manager</Link> to change it.
        </p>
      )}
      {!version.is_final && !mayEdit && moduleType.data && (
        <p className="ds-notice" data-testid="read-only-note">
          You can view this version but not change it.
        </p>
      )}
      {notice && (
        <p className="ds-notice-ok" role="status">
          {notice}
        </p>
      )}

      <section className="panel mt-section" aria-labelledby="mt-summary-heading">
        <h2 id="mt-summary-heading">Summary</h2>
        <div className="mt-summary">
          <dl className="ds-meta">
            <dt>Module type</dt>
            <dd>
              <Link to={`/module-types/${version.module_type}`}>{version.module_type_name}</Link> ({kind})
            </dd>
            <dt>Type description</dt>
            <dd>{moduleType.data?.description || '—'}</dd>
            <dt>Project</dt>
            <dd>{projectName ?? moduleType.data?.project ?? '—'}</dd>
            <dt>Tags</dt>
            <dd>{moduleType.data?.tags.join(', ') || '—'}</dd>
            <dt>Version</dt>
            <dd>{version.number}</dd>
            <dt>Creator</dt>
            <dd>{version.creator}</dd>
            <dt>Created</dt>
            <dd>{formatDateTime(version.created_at)}</dd>
            <dt>Last modified</dt>
            <dd>{formatDateTime(version.last_modified)}</dd>
          </dl>
          <div>
            <div className="field">
              <label htmlFor="mt-version-name">Version name</label>
              <input id="mt-version-name" value={draft.name} disabled={readOnly} maxLength={200} onChange={(e) => setField('name', e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="mt-version-description">Version description</label>
              <textarea
                id="mt-version-description"
                rows={3}
                value={draft.description}
                disabled={readOnly}
                onChange={(e) => setField('description', e.target.value)}
              />
            </div>
            {(kind === 'simple' || draft.is_aggregation) && (
              <label className="ds-checkbox">
                <input
                  type="checkbox"
                  checked={draft.is_aggregation}
                  disabled={readOnly}
                  data-testid="aggregation-checkbox"
                  onChange={(e) => setField('is_aggregation', e.target.checked)}
                />
                Aggregation (keeps state across runs of a module: run mode aggregates, process mode passes the state on)
              </label>
            )}
          </div>
        </div>
        {used && isUsed(used) && (
          <div className="mt-used-by">
            <h3>Used by</h3>
            <UsageList used={used} />
          </div>
        )}
      </section>

      <DatasetSlotsTable
        slots={draft.dataset_slots}
        datasetTypes={typeList}
        readOnly={readOnly}
        onChange={(slots, renamed) => {
          setField('dataset_slots', slots);
          renameOwn(renamed);
        }}
        onAdd={() => typeList[0] && setField('dataset_slots', [...draft.dataset_slots, newDatasetSlot(draft, typeList[0].id)])}
      />
      <ParameterSlotsTable
        slots={draft.parameter_slots}
        sqlTypes={sqlTypes.list}
        readOnly={readOnly}
        onChange={(slots, renamed) => {
          setField('parameter_slots', slots);
          renameOwn(renamed);
        }}
        onAdd={() => setField('parameter_slots', [...draft.parameter_slots, newParameterSlot(draft, sqlTypes.list[0])])}
      />
      {problems.length > 0 && !readOnly && (
        <div className="form-error" role="alert">
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}

      {kind === 'progressive' ? (
        <section className="panel mt-section" aria-labelledby="mt-algorithm-heading">
          <h2 id="mt-algorithm-heading">Algorithm</h2>
          <p className="muted" data-testid="builtin-algorithm">
            Built-in progressive operator, computed by the engine in steps (partial results while it runs). Read-only: it
            has no SQL algorithm and cannot be edited, versioned or removed.
          </p>
        </section>
      ) : kind === 'simple' && draft.is_aggregation ? (
        <section className="panel mt-section" aria-labelledby="mt-aggregation-heading" data-testid="aggregation-sql">
          <div className="panel-title-row">
            <h2 id="mt-aggregation-heading">Aggregation SQL</h2>
            <span className="muted">
              PL/pgSQL · one IN and one OUT dataset slot · <code>{'${state}'}</code> the state · <code>{'#{'}</code> IN
              parameters · each field optional (empty: the default shown)
            </span>
          </div>
          <AggregationSqlEditors
            draft={draft}
            onChange={(field, text) => setField(field, text)}
            readOnly={readOnly}
            slots={slotsForCompletion}
            defaults={aggregationDefaults(draft, typeList)}
            errors={errors}
            validated={validation.fields}
          />
        </section>
      ) : kind === 'simple' ? (
        <section className="panel mt-section" aria-labelledby="mt-algorithm-heading">
          <div className="panel-title-row">
            <h2 id="mt-algorithm-heading">Algorithm</h2>
            <span className="muted">
              PL/pgSQL · <code>{'${'}</code> datasets and general placeholders · <code>{'#{'}</code> parameters
            </span>
          </div>
          <AlgorithmEditor
            value={draft.algorithm}
            onChange={(text) => setField('algorithm', text)}
            readOnly={readOnly}
            slots={slotsForCompletion}
            diagnostics={diagnostics}
            diagnosticsFor={validation.algorithm}
          />
        </section>
      ) : (
        <section className="panel mt-section" aria-labelledby="mt-diagram-heading">
          <h2 id="mt-diagram-heading">Diagram</h2>
          <DiagramEditor
            store={store}
            ctx={ctx}
            versions={versionInfos}
            palette={paletteChoices}
            paletteLoading={palette.isPending}
            paletteError={palette.isError ? errorMessage(palette.error) : null}
            readOnly={readOnly}
            errors={errors}
            phases={validation.result?.phases ?? version.phases ?? {}}
            datasetTypeNames={datasetTypeNames}
          />
        </section>
      )}

      <ValidationPanel validation={validation} graph={kind === 'composite' ? graph : null} />

      <section className="panel mt-section" aria-labelledby="mt-notes-heading">
        <h2 id="mt-notes-heading">Revision notes</h2>
        {version.revision_notes.length === 0 ? (
          <p className="empty">No revision notes.</p>
        ) : (
          <table className="table" data-testid="revision-notes">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Note</th>
              </tr>
            </thead>
            <tbody>
              {version.revision_notes.map((n, i) => (
                <tr key={i}>
                  <td>{formatDateTime(n.created_at)}</td>
                  <td>{n.author}</td>
                  <td className="mt-note">{n.note}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {saveOpen && (
        <SaveDialog
          pending={update.isPending}
          error={update.error}
          dependents={dependents}
          problems={[]}
          onSave={save}
          onClose={() => {
            setSaveOpen(false);
            setDependents(null);
          }}
        />
      )}
      {finalizeOpen && <FinalizeDialog versionId={version.id} onClose={() => setFinalizeOpen(false)} onDone={() => void reload()} />}
    </div>
  );
}

function ValidationPanel({ validation, graph }: { validation: ValidationState; graph: CompositeGraph | null }) {
  const { result, pending, error } = validation;
  const nameOf = (id: number | null | undefined) => graph?.submodules.find((s) => s.id === id)?.name;
  return (
    <section className="panel mt-section" aria-labelledby="mt-validation-heading" data-testid="validation">
      <div className="panel-title-row">
        <h2 id="mt-validation-heading">Validation</h2>
        {pending && <span className="muted">Validating…</span>}
        {result && !pending && (
          <span className={`badge ${result.valid ? 'badge-ok' : 'badge-failed'}`} data-testid="validation-status">
            {result.valid ? 'valid' : `${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}`}
          </span>
        )}
      </div>
      {error != null && <p className="form-error">Could not validate: {errorMessage(error)}</p>}
      {!result && !error && <p className="muted">Not validated yet.</p>}
      {result && result.errors.length > 0 && (
        <ul className="mt-errors" data-testid="validation-errors">
          {result.errors.map((e, i) => (
            <li key={i}>
              {fieldLabel(e.field) && <span className="mt-error-where">{fieldLabel(e.field)}: </span>}
              {e.line != null && (
                <span className="mt-error-where">
                  line {e.line}
                  {e.column != null ? `, column ${e.column}` : ''}:{' '}
                </span>
              )}
              {e.submodule != null && <span className="mt-error-where">{nameOf(e.submodule) ?? `submodule ${e.submodule}`}: </span>}
              {graph ? humanizeMessage(e.message, graph) : withoutLocation(e.message, e.line, e.column)}
            </li>
          ))}
        </ul>
      )}
      {result && result.valid && <p className="muted">No problems found.</p>}
    </section>
  );
}
