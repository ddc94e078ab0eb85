/**
 * Live events applied to what the screens show (pure): the Module Manager's list from topic `modules`,
 * a module from topic `module:<id>`, a run's progress and log from topic `run:<id>`.
 */
import type {
  Module,
  ModuleListParams,
  ModuleStatusName,
  Run,
  RunError,
  RunLogLine,
  RunResult,
  StatusReason,
} from '../../api/types';
import type { LiveEvent } from '../../live/socket';

export interface StatusEvent {
  module: number;
  status: ModuleStatusName;
  reasons: StatusReason[];
}

export interface ListUpdate {
  list: Module[];
  /** The event says something the list cannot patch in: fetch it again. */
  refetch: boolean;
}

function isStatusEvent(data: unknown): data is StatusEvent {
  const d = data as Partial<StatusEvent> | null;
  return !!d && typeof d.module === 'number' && (d.status === 'UpToDate' || d.status === 'OutOfDate');
}

/** Topic `modules` → the list (filtered by `params`, as the server filtered it). */
export function applyModulesEvent(list: Module[], event: LiveEvent, params: ModuleListParams = {}): ListUpdate {
  const data = event.data as { module?: number; run?: number; result?: RunResult; ended_at?: string; error?: RunError | null } | null;
  switch (event.type) {
    case 'status': {
      if (!isStatusEvent(event.data)) return { list, refetch: true };
      const { module, status, reasons } = event.data;
      const index = list.findIndex((m) => m.id === module);
      if (index < 0) return { list, refetch: params.status === status };
      if (params.status && params.status !== status) return { list: list.filter((m) => m.id !== module), refetch: false };
      const next = [...list];
      next[index] = { ...list[index], status, reasons };
      return { list: next, refetch: false };
    }
    case 'module_removed':
      return { list: list.filter((m) => m.id !== data?.module), refetch: false };
    case 'module_created':
      return { list, refetch: true };
    case 'run_finished': {
      const index = list.findIndex((m) => m.id === data?.module);
      const current = index >= 0 ? list[index] : null;
      if (!current) return { list, refetch: false };
      if (!current.last_run || current.last_run.id !== data?.run) return { list, refetch: true };
      const next = [...list];
      next[index] = {
        ...current,
        last_run: {
          ...current.last_run,
          result: data.result ?? '',
          ended_at: data.ended_at ?? current.last_run.ended_at,
          error: data.error ?? null,
        },
      };
      return { list: next, refetch: false };
    }
    case 'run_started':
    case 'module_changed':
      return { list, refetch: list.some((m) => m.id === data?.module) };
    default:
      return { list, refetch: false };
  }
}

// ------------------------------------------------------------------------------------------- runs

export interface StepLive {
  path: string;
  stage: string | null;
  /** Scheduler state (ready, running, terminated, …). */
  state: string | null;
  done: number;
  total: number | null;
}

export interface RunLiveState {
  stage: string;
  result: RunResult | '';
  startedAt: string | null;
  endedAt: string | null;
  error: RunError | null;
  cancelRequested: boolean;
  steps: Record<string, StepLive>;
  log: RunLogLine[];
  /** Keys of the log lines held (a line can come both from the record and live). */
  seen: Set<string>;
}

function lineKey(line: RunLogLine): string {
  return `${line.at}|${line.path}|${line.level}|${line.message}`;
}

export function runLiveFromRun(run: Run): RunLiveState {
  const steps: Record<string, StepLive> = {};
  for (const s of run.steps) {
    steps[s.path] = { path: s.path, stage: s.stage, state: s.result ? 'terminated' : null, done: 0, total: null };
  }
  return {
    stage: run.stage,
    result: run.result,
    startedAt: run.started_at,
    endedAt: run.ended_at,
    error: run.error,
    cancelRequested: run.cancel_requested,
    steps,
    log: [...run.log],
    seen: new Set(run.log.map(lineKey)),
  };
}

function withStep(state: RunLiveState, path: string, change: Partial<StepLive>): RunLiveState {
  const current = state.steps[path] ?? { path, stage: null, state: null, done: 0, total: null };
  return { ...state, steps: { ...state.steps, [path]: { ...current, ...change } } };
}

/** Topic `run:<id>` → the run as it goes. Unknown events leave the state as it is. */
export function applyRunEvent(state: RunLiveState, event: LiveEvent): RunLiveState {
  const d = (event.data ?? {}) as Record<string, unknown>;
  switch (event.type) {
    case 'log': {
      const line: RunLogLine = {
        path: String(d.path ?? ''),
        at: String(d.at ?? ''),
        level: String(d.level ?? 'INFO'),
        message: String(d.message ?? ''),
      };
      const key = lineKey(line);
      if (state.seen.has(key)) return state;
      const seen = new Set(state.seen);
      seen.add(key);
      return { ...state, log: [...state.log, line], seen };
    }
    case 'stage': {
      const stage = String(d.stage ?? '');
      if (d.path === null || d.path === undefined) return { ...state, stage };
      return withStep(state, String(d.path), { stage });
    }
    case 'started':
      return { ...state, startedAt: typeof d.started_at === 'string' ? d.started_at : state.startedAt };
    case 'progress':
      return withStep(state, String(d.path ?? ''), {
        state: typeof d.state === 'string' ? d.state : null,
        done: typeof d.done === 'number' ? d.done : 0,
        total: typeof d.total === 'number' ? d.total : null,
      });
    case 'cancel_requested':
      return { ...state, cancelRequested: true };
    case 'finished':
      return {
        ...state,
        stage: 'COMPLETED',
        result: (d.result as RunResult) ?? state.result,
        error: (d.error as RunError | null) ?? null,
        endedAt: typeof d.ended_at === 'string' ? d.ended_at : state.endedAt,
      };
    default:
      return state;
  }
}

/** Log lines whose level is among `levels` (all when empty). */
export function filterLog(log: RunLogLine[], levels: ReadonlySet<string>): RunLogLine[] {
  return levels.size === 0 ? log : log.filter((l) => levels.has(l.level));
}
