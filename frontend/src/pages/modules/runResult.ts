/** What a finished run's result says to the user (pure): FAILED / CANCELLED / TIMEOUT with the error and its line. */
import type { LastRun, Module, RunError, RunResult } from '../../api/types';
import type { Toast } from '../../components/Toasts';
import type { LiveEvent } from '../../live/socket';

/** "division by zero (line 4, column 12, in submodule inner/a)"; "" without an error. */
export function runErrorText(error: RunError | null | undefined): string {
  if (!error?.message) return '';
  const where: string[] = [];
  if (typeof error.line === 'number') where.push(typeof error.column === 'number' ? `line ${error.line}, column ${error.column}` : `line ${error.line}`);
  if (error.submodule) where.push(`in submodule ${error.submodule}`);
  return where.length ? `${error.message} (${where.join(', ')})` : error.message;
}

/** A run that ended without success: its result and why; null while running or after SUCCESS. */
export function unsuccessfulRun(run: Pick<LastRun, 'number' | 'result' | 'error'> | null | undefined): { title: string; detail: string } | null {
  if (!run || !run.result || run.result === 'SUCCESS') return null;
  const detail = runErrorText(run.error) || (run.result === 'CANCELLED' ? 'The run was cancelled.' : '');
  return { title: `Run ${run.number} ${run.result}`, detail };
}

/** The toast for a `run_finished` event (topics `modules:<project>` and `module:<id>`) of a run that did not succeed. */
export function runFailureToast(event: LiveEvent, modules: Pick<Module, 'id' | 'name' | 'last_run'>[]): Toast | null {
  if (event.type !== 'run_finished') return null;
  const data = (event.data ?? {}) as { module?: number; run?: number; result?: RunResult; error?: RunError | null };
  if (typeof data.run !== 'number' || !data.result || data.result === 'SUCCESS') return null;
  const module = modules.find((m) => m.id === data.module);
  const number = module?.last_run?.id === data.run ? module.last_run.number : null;
  const what = unsuccessfulRun({ number: number ?? 0, result: data.result, error: data.error ?? null });
  if (!what) return null;
  const title = `${module ? `${module.name}: ` : ''}${number !== null ? what.title : `Run ${data.result}`}`;
  return { id: `run-${data.run}`, kind: data.result === 'CANCELLED' ? 'warn' : 'error', title, detail: what.detail, link: { to: `/runs/${data.run}`, label: 'Open the run' } };
}
