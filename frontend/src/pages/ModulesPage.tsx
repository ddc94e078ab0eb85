import { useCallback, useMemo, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useBringUpToDate } from '../api/hooks/useBringUpToDate';
import { useMe } from '../api/hooks/useMe';
import { useModules } from '../api/hooks/useModules';
import { useModuleTypes } from '../api/hooks/useModuleTypes';
import { useRunModule } from '../api/hooks/useRunModule';
import type { Module, ModuleListParams } from '../api/types';
import { ErrorPanel, errorMessage } from '../components/ErrorPanel';
import { writableProjects } from '../permissions';
import { bringUpToDateHint, bringUpToDateNotice } from './modules/bringUpToDate';
import { CopyModuleDialog } from './modules/CopyModuleDialog';
import { isFiltered, moduleListParamsToSearch, parseModuleListParams } from './modules/listParams';
import { ModulesTable } from './modules/ModulesTable';
import { ModulesToolbar } from './modules/ModulesToolbar';
import { NewModuleDialog } from './modules/NewModuleDialog';
import { canRemoveModule, canUseModule } from './modules/permissions';
import { RemoveModuleDialog } from './modules/RemoveModuleDialog';
import { useModulesLive } from './modules/useModulesLive';

type Dialogs = { kind: 'new' } | { kind: 'copy'; module: Module } | { kind: 'remove'; module: Module } | null;

/** EMF's Module Manager: every module the user can see with its live status; view, edit, create, copy, remove, compare, run. */
export function ModulesPage() {
  const { data: me } = useMe();
  const navigate = useNavigate();
  const [searchParams, setSearchParams] = useSearchParams();
  const params = useMemo(() => parseModuleListParams(searchParams), [searchParams]);
  const modules = useModules(params);
  const moduleTypes = useModuleTypes();
  useModulesLive(params);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [dialog, setDialog] = useState<Dialogs>(null);
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | null>(null);
  const run = useRunModule();
  const [starting, setStarting] = useState<Set<number>>(new Set());
  const bring = useBringUpToDate();
  const writable = writableProjects(me);

  const setParams = useCallback(
    (next: ModuleListParams) => setSearchParams(moduleListParamsToSearch(next), { replace: true }),
    [setSearchParams],
  );

  const list = useMemo(() => modules.data ?? [], [modules.data]);
  // Only what is on screen counts as selected (a filter may hide some).
  const chosen = list.filter((m) => selected.has(m.id));
  const outOfDate = chosen.filter((m) => m.status === 'OutOfDate' && canUseModule(me, m));

  const toggle = (id: number, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const runOne = (m: Module) => {
    setStarting((s) => new Set(s).add(m.id));
    run.mutate(
      { id: m.id },
      {
        onSuccess: (r) => setNotice({ text: `Run ${r.run_number} of ${m.name} started.` }),
        onError: (error) => setNotice({ text: `Could not run ${m.name}: ${errorMessage(error)}`, error: true }),
        onSettled: () =>
          setStarting((s) => {
            const next = new Set(s);
            next.delete(m.id);
            return next;
          }),
      },
    );
  };

  const bringUpToDate = () => {
    const sent = outOfDate;
    bring.mutate(
      sent.map((m) => m.id),
      {
        onSuccess: (result) => setNotice({ text: bringUpToDateNotice(sent, result) }),
        onError: (error) => setNotice({ text: `Could not bring the modules up to date: ${errorMessage(error)}`, error: true }),
      },
    );
  };

  return (
    <div className="page">
      <div className="page-header">
        <h1>Modules</h1>
        <p className="muted">Module Manager</p>
        <div className="ds-page-actions">
          {writable.length > 0 && (
            <button type="button" className="btn btn-primary" onClick={() => setDialog({ kind: 'new' })}>
              New module
            </button>
          )}
        </div>
      </div>

      <ModulesToolbar params={params} onChange={setParams} projects={me?.projects ?? []} moduleTypes={moduleTypes.data ?? []} />

      <div className="mod-selection-bar" aria-label="Selected modules">
        <span className="muted" data-testid="selection-count">
          {chosen.length} selected
        </span>
        <button
          type="button"
          className="btn"
          disabled={outOfDate.length === 0 || bring.isPending}
          onClick={bringUpToDate}
          title={bringUpToDateHint(me, list, chosen)}
        >
          Bring up to date{outOfDate.length ? ` (${outOfDate.length})` : ''}
        </button>
        <button
          type="button"
          className="btn"
          disabled={chosen.length !== 2}
          title={chosen.length !== 2 ? 'Select exactly two modules' : undefined}
          onClick={() => void navigate(`/modules/compare?first=${chosen[0].id}&second=${chosen[1].id}`)}
        >
          Compare
        </button>
        {chosen.length > 0 && (
          <button type="button" className="btn btn-ghost" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        )}
      </div>

      {notice && (
        <p className={notice.error ? 'form-error' : 'ds-notice-ok'} role={notice.error ? 'alert' : 'status'}>
          {notice.text}
        </p>
      )}

      {modules.isError && !modules.data ? (
        <ErrorPanel title="Could not load the modules" error={modules.error} onRetry={() => void modules.refetch()} />
      ) : modules.isPending ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 ? (
        <p className="empty">{isFiltered(params) ? 'No module matches these filters.' : 'No modules yet. Modules you can use will be listed here.'}</p>
      ) : (
        <ModulesTable
          modules={list}
          selected={selected}
          onToggle={toggle}
          onToggleAll={(on) => setSelected(on ? new Set(list.map((m) => m.id)) : new Set())}
          onRun={runOne}
          onCopy={(m) => setDialog({ kind: 'copy', module: m })}
          onRemove={(m) => setDialog({ kind: 'remove', module: m })}
          canWrite={(m) => canUseModule(me, m)}
          canRemove={(m) => canRemoveModule(me, m)}
          running={starting}
        />
      )}

      {dialog?.kind === 'new' && (
        <NewModuleDialog
          projects={writable}
          defaultProject={params.project}
          onClose={() => setDialog(null)}
          onCreated={(created) => void navigate(`/modules/${created.id}`)}
        />
      )}
      {dialog?.kind === 'copy' && (
        <CopyModuleDialog module={dialog.module} onClose={() => setDialog(null)} onCopied={(copy) => void navigate(`/modules/${copy.id}`)} />
      )}
      {dialog?.kind === 'remove' && (
        <RemoveModuleDialog
          module={dialog.module}
          onClose={() => setDialog(null)}
          onRemoved={() => {
            setNotice({ text: `${dialog.module.name} was removed.` });
            setSelected((s) => {
              const next = new Set(s);
              next.delete(dialog.module.id);
              return next;
            });
            setDialog(null);
          }}
        />
      )}
    </div>
  );
}
