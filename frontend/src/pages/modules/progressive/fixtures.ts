/** Test fixtures shaped as docs/progressive.md's contract says (events, stored step results, the steer API). */
import type { ModuleTypeVersion, PartialEvent, ProgressEvent, Run, RunStep, SteeringRecord } from '../../../api/types';
import { runFixture, typeVersionFixture } from '../testSupport';

export function histogramResult(bins: number, scale = 1, lo = 0, hi = 100) {
  const width = (hi - lo) / bins;
  return {
    column: 'x',
    edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * width),
    counts: Array.from({ length: bins }, (_, i) => (i + 1) * scale),
    underflow: 0,
    overflow: 2,
    nan: 1,
  };
}

export const partialEvent = (data: Partial<PartialEvent> & { path: string }): PartialEvent => ({
  kind: 'histogram',
  result: histogramResult(4),
  final: false,
  ...data,
});

export const progressEvent = (data: Partial<ProgressEvent> & { path: string }): ProgressEvent => ({
  state: 'running',
  done: 0,
  total: null,
  rate: null,
  elapsed: null,
  written: {},
  ...data,
});

export function progressiveStep(extra: Partial<RunStep> = {}): RunStep {
  return {
    path: 'hist',
    name: 'Histogram of x',
    type_version: 70,
    setup_script: '',
    user_script: '',
    teardown_script: '',
    stage: 'USER_SCRIPT',
    result: '',
    started_at: '2024-05-01T10:00:01Z',
    ended_at: null,
    seconds: null,
    error: null,
    datasets: [],
    parameters: [],
    progressive: { kind: 'histogram', result: histogramResult(4), final: false, state: 'running', done: 250_000, total: 1_000_000 },
    ...extra,
  };
}

export function progressiveRun(extra: Partial<Run> = {}): Run {
  return runFixture({
    module_type_name: 'Histogram',
    steps: [progressiveStep()],
    steering: [],
    ...extra,
  });
}

/** The built-in Histogram type's version 0. */
export function histogramTypeVersion(): ModuleTypeVersion {
  return typeVersionFixture({
    id: 70,
    module_type_name: 'Histogram',
    kind: 'progressive',
    is_final: true,
    dataset_slots: [{ placeholder: 'input', mode: 'IN', dataset_type: null, is_optional: false, description: '' }],
    parameter_slots: [
      { name: 'column', sql_type: 'text', mode: 'IN', is_optional: false, description: '' },
      { name: 'bins', sql_type: 'integer', mode: 'IN', is_optional: true, description: 'Default 64.' },
      { name: 'min', sql_type: 'double precision', mode: 'IN', is_optional: true, description: '' },
      { name: 'max', sql_type: 'double precision', mode: 'IN', is_optional: true, description: '' },
    ],
    algorithm: '',
  });
}

export const steeringRecord = (extra: Partial<SteeringRecord> = {}): SteeringRecord => ({
  path: 'hist',
  parameters: { bins: '8' },
  at: '2024-05-01T10:00:05Z',
  user: 'modeler',
  ...extra,
});
