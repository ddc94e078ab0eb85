/**
 * Data the screen tests of several pages share: a signed-in user per role (as /api/me answers), the demo dataset type,
 * a module type version.
 */
import type { DatasetType, Me, ModuleTypeVersion } from '../api/types';

export const modeler: Me = {
  id: 2,
  username: 'modeler',
  full_name: 'Mona Modeler',
  email: '',
  role: 'modeler',
  projects: [
    { id: 1, name: 'Demo', role: 'modeler' },
    { id: 3, name: 'Readonly', role: 'viewer' },
  ],
};

export const viewer: Me = {
  ...modeler,
  id: 3,
  username: 'viewer',
  full_name: 'Vic Viewer',
  role: 'viewer',
  projects: [{ id: 1, name: 'Demo', role: 'viewer' }],
};

export const admin: Me = {
  ...modeler,
  id: 1,
  username: 'admin',
  full_name: 'Ada Admin',
  role: 'admin',
  projects: [{ id: 1, name: 'Demo', role: 'admin' }],
};

export const emissionType: DatasetType = {
  id: 1,
  name: 'Emission Factors',
  description: '',
  columns: [{ name: 'fuel_type', sql_type: 'varchar' }],
  creator: 'modeler',
  revision: 1,
  created_at: '2024-05-01T10:00:00Z',
  dataset_count: 1,
};

/** A saved, non-final simple module type version; `overrides` set the fields a test is about. */
export function typeVersion(overrides: Partial<ModuleTypeVersion> = {}): ModuleTypeVersion {
  return {
    id: 30,
    module_type: 3,
    module_type_name: 'Scale Emission Factors',
    kind: 'simple',
    number: 0,
    name: 'Initial Version',
    description: '',
    is_final: false,
    is_aggregation: false,
    dataset_slots: [{ placeholder: 'input_ds', mode: 'IN', dataset_type: 1, is_optional: false, description: '' }],
    parameter_slots: [{ name: 'factor', sql_type: 'double precision', mode: 'IN', is_optional: false, description: '' }],
    algorithm: 'SELECT * FROM ${input_ds};',
    aggregate_sql: '',
    process_sql: '',
    clear_sql: '',
    /** Normalized at the API boundary (api/graph.ts): a simple type's `{}` arrives as empty lists. */
    graph: { submodules: [], connections: [] },
    creator: 'modeler',
    created_at: '2024-05-01T10:00:00Z',
    last_modified: '2024-05-02T10:00:00Z',
    revision: 2,
    revision_notes: [{ author: 'modeler', created_at: '2024-05-01T10:00:00Z', note: 'Created' }],
    used_by: { modules: [], composites: [] },
    phases: {},
    ...overrides,
  };
}
