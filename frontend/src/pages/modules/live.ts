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
  RunStep,
  SteeringRecord,
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
          result: data.result || null,
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

/** A progressive submodule's latest partial result as drawn. */
export interface PartialLive {
  kind: string;
  result: Record<string, unknown>;
  /** true once the run ended successfully (the result is final). */
  final: boolean;
}

/** Min / Max values seen on this page, oldest first (for the trend line). */
export interface TrendPoint {
  /** Seconds since the page started following the step. */
  t: number;
  values: Record<string, number | null>;
}

/** How many trend points a step keeps. */
export const TREND_LIMIT = 300;

export interface StepLive {
  path: string;
  stage: string | null;
  /** Scheduler state (one of the eight: created, ready, running, blocked, suspended, zombie, terminated, invalid). */
  state: string | null;
  done: number;
  total: number | null;
  /** Rows/s (null: unknown). */
  rate?: number | null;
  /** Seconds since the step started. */
  elapsed?: number | null;
  /** A SQL step's outputs: placeholder → rows written so far. */
  written?: Record<string, number>;
  partial?: PartialLive | null;
  trend?: TrendPoint[];
  /** How many partial results this page has drawn for the step (the stored one counts). */
  partials?: number;
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
  /** Steering changes applied, oldest first. */
  steering: SteeringRecord[];
}

function lineKey(line: RunLogLine): string {
  return `${line.at}|${line.path}|${line.level}|${line.message}`;
}

function steeringKey(r: SteeringRecord): string {
  return `${r.at}|${r.path}|${r.user}|${JSON.stringify(r.parameters)}`;
}

function now(): number {
  return (typeof performance !== 'undefined' ? performance.now() : Date.now()) / 1000;
}

/** The trend after a min / max result (other kinds keep no trend). */
function withTrend(trend: TrendPoint[] | undefined, kind: string, result: Record<string, unknown>, t: number): TrendPoint[] | undefined {
  if (kind !== 'min' && kind !== 'max') return trend;
  const values = (result.values ?? {}) as Record<string, number | null>;
  const previous = trend ?? [];
  const last = previous.at(-1);
  if (last && JSON.stringify(last.values) === JSON.stringify(values)) return previous;
  const next = [...previous, { t, values }];
  return next.length > TREND_LIMIT ? next.slice(next.length - TREND_LIMIT) : next;
}

/** A successful run's final result of a progressive step from `run.results` ({path: {kind, ...result}}), when its step has none. */
function storedFinal(run: Run, path: string): RunStep['progressive'] {
  if (run.result !== 'SUCCESS') return null;
  const entry = (run.results ?? {})[path] as Record<string, unknown> | undefined;
  if (!entry || typeof entry !== 'object' || typeof entry.kind !== 'string') return null;
  const { kind, ...result } = entry;
  return { kind: kind as string, result, final: true, state: 'terminated', done: 0, total: null };
}

export function runLiveFromRun(run: Run, previous?: RunLiveState | null): RunLiveState {
  const steps: Record<string, StepLive> = {};
  const t = now();
  for (const s of run.steps) {
    const before = previous?.steps[s.path];
    const p = s.progressive ?? storedFinal(run, s.path);
    const step: StepLive = { path: s.path, stage: s.stage, state: s.result ? 'terminated' : null, done: 0, total: null };
    if (p) {
      step.state = s.result ? (p.state ?? 'terminated') : (p.state ?? null);
      step.done = p.done ?? 0;
      step.total = p.total ?? null;
      // A live result newer than the stored one stays (the record is stored at most once a second).
      const keepLive = !!before?.partial && !run.result && !p.final && (before.partials ?? 0) > 0 && before.done >= step.done;
      step.partial = keepLive ? before.partial : { kind: p.kind, result: p.result as Record<string, unknown>, final: !!p.final };
      if (keepLive) {
        step.done = before.done;
        step.total = before.total;
        step.state = before.state;
      }
      step.partials = (before?.partials ?? 0) + (keepLive ? 0 : 1);
      step.trend = keepLive ? before.trend : withTrend(before?.trend, p.kind, p.result as Record<string, unknown>, t);
    }
    if (before && !s.result) {
      step.rate = before.rate;
      step.elapsed = before.elapsed;
      step.written = before.written;
      if (!p && before.state) {
        step.state = before.state;
        step.done = before.done;
        step.total = before.total;
      }
    }
    steps[s.path] = step;
  }
  const steering = [...(run.steering ?? [])];
  const known = new Set(steering.map(steeringKey));
  for (const r of previous?.steering ?? []) if (!known.has(steeringKey(r))) steering.push(r);
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
    steering,
  };
}

function withStep(state: RunLiveState, path: string, change: Partial<StepLive>): RunLiveState {
  const current = state.steps[path] ?? { path, stage: null, state: null, done: 0, total: null };
  return { ...state, steps: { ...state.steps, [path]: { ...current, ...change } } };
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

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
    case 'progress': {
      const change: Partial<StepLive> = {
        state: typeof d.state === 'string' ? d.state : null,
        done: typeof d.done === 'number' ? d.done : 0,
        total: typeof d.total === 'number' ? d.total : null,
      };
      if ('rate' in d) change.rate = num(d.rate);
      if ('elapsed' in d) change.elapsed = num(d.elapsed);
      if (d.written && typeof d.written === 'object') change.written = d.written as Record<string, number>;
      return withStep(state, String(d.path ?? ''), change);
    }
    case 'partial': {
      const path = String(d.path ?? '');
      const kind = String(d.kind ?? '');
      const result = (d.result && typeof d.result === 'object' ? d.result : {}) as Record<string, unknown>;
      const current = state.steps[path];
      return withStep(state, path, {
        partial: { kind, result, final: d.final === true },
        partials: (current?.partials ?? 0) + 1,
        trend: withTrend(current?.trend, kind, result, now()),
      });
    }
    case 'steered': {
      const record: SteeringRecord = {
        path: String(d.path ?? ''),
        parameters: (d.parameters && typeof d.parameters === 'object' ? d.parameters : {}) as Record<string, string>,
        at: String(d.at ?? ''),
        user: String(d.user ?? ''),
      };
      if (state.steering.some((r) => steeringKey(r) === steeringKey(record))) return state;
      // The steered submodule starts over: its min / max trend too.
      const step = state.steps[record.path];
      const next = { ...state, steering: [...state.steering, record] };
      return step ? withStep(next, record.path, { trend: [] }) : next;
    }
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

/**
 * An event about a (sub)module whose record the page does not have yet, or has from before the step
 * started: the record must be fetched again (its scripts, its recorded parameters, which the steering
 * form reads). A page opened right after Run loads the record before the worker made the step records.
 */
export function recordIsBehind(run: Run, event: LiveEvent): boolean {
  if (event.type !== 'stage' && event.type !== 'progress' && event.type !== 'partial') return false;
  const path = (event.data as { path?: unknown } | null)?.path;
  if (typeof path !== 'string') return false;
  const step = run.steps.find((s) => s.path === path);
  return !step || (event.type === 'stage' && !step.started_at && !step.result);
}
