/** Test data for the module screens. */
import type { AggregationSummary, Module, ModuleTypeVersion, Run } from '../../api/types';
import { typeVersion } from '../../test/fixtures';

export function moduleFixture(extra: Partial<Module> = {}): Module {
  return {
    id: 1,
    name: 'Emission Factors +15%',
    description: 'The EMF example',
    project: 1,
    project_name: 'Demo',
    creator: 'modeler',
    creator_name: 'Mona Modeler',
    tags: ['demo'],
    type_version: 3,
    type_id: 2,
    type_name: 'Scale Emission Factors',
    type_version_number: 0,
    type_kind: 'simple',
    type_version_final: false,
    dataset_bindings: {
      input_emission_factors_dataset: { dataset: 7, version: 0 },
      output_emission_factors_dataset: { output_method: 'NEW', name_pattern: 'EF +15% #${run.id}' },
    },
    parameter_bindings: { increase_factor: '1.15' },
    keep_internal: { datasets: [], parameters: [] },
    deadline_seconds: null,
    is_final: false,
    created_at: '2024-05-01T10:00:00Z',
    last_modified: '2024-05-01T10:00:00Z',
    revision: 1,
    status: 'OutOfDate',
    reasons: [{ code: 'never_run', message: 'The module has never run.' }],
    last_run: null,
    lock: null,
    aggregation: null,
    ...extra,
  };
}

/** The EMF example's type version: the one moduleFixture binds (id 3, its slots and algorithm), never edited since. */
export function typeVersionFixture(extra: Partial<ModuleTypeVersion> = {}): ModuleTypeVersion {
  return typeVersion({
    id: 3,
    module_type: 2,
    last_modified: '2024-05-01T10:00:00Z',
    revision: 1,
    revision_notes: [],
    dataset_slots: [
      { placeholder: 'input_emission_factors_dataset', mode: 'IN', dataset_type: 1, is_optional: false, description: '' },
      { placeholder: 'output_emission_factors_dataset', mode: 'OUT', dataset_type: 1, is_optional: false, description: '' },
    ],
    parameter_slots: [{ name: 'increase_factor', sql_type: 'double precision', mode: 'IN', is_optional: false, description: '' }],
    algorithm: 'SELECT 1;\nSELECT #{increase_factor};\nSELECT 3;',
    ...extra,
  });
}

export function runFixture(extra: Partial<Run> = {}): Run {
  return {
    id: 9,
    module: 1,
    run_number: 3,
    mode: 'run',
    user: 'modeler',
    stage: 'STARTED',
    result: '',
    created_at: '2024-05-01T10:00:00Z',
    started_at: '2024-05-01T10:00:01Z',
    ended_at: null,
    error: null,
    type_version: 3,
    module_type: 2,
    module_type_name: 'Scale Emission Factors',
    type_version_number: 0,
    type_version_name: 'Initial Version',
    worker: 'w1',
    cancel_requested: false,
    datasets: [],
    parameters: [],
    parameter_overrides: {},
    results: {},
    steering: [],
    steps: [],
    log: [{ path: '', at: '2024-05-01T10:00:01Z', level: 'INFO', message: 'Run 3 started.' }],
    ...extra,
  };
}

/** A module's `aggregation` as docs/aggregation.md §2 shows it: 2 runs pending (state version 2), or just processed (empty). */
export function aggregationFixture(pending = true): AggregationSummary {
  return pending
    ? {
        pending: true,
        runs: 2,
        rows: 2,
        submodules: [
          { path: 'agg_mod', name: 'agg_mod', runs: 2, rows: 2, dataset: 41, state_version: 2, updated_at: '2024-05-02T10:00:00Z', last_run: 17, last_process: 15 },
        ],
      }
    : {
        pending: false,
        runs: 0,
        rows: 0,
        submodules: [
          { path: 'agg_mod', name: 'agg_mod', runs: 0, rows: 0, dataset: 41, state_version: 3, updated_at: '2024-05-02T10:05:00Z', last_run: 17, last_process: 18 },
        ],
      };
}
