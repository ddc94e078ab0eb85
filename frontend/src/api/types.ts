/** Shapes of the backend's JSON (see shared/DESIGN.md §8). */

export type Role = 'viewer' | 'modeler' | 'admin';

export interface ProjectMembership {
  id: number;
  name: string;
  role: string;
}

export interface Me {
  id: number;
  username: string;
  full_name: string;
  email: string;
  role: Role;
  projects: ProjectMembership[];
}

export interface LoginRequest {
  username: string;
  password: string;
}

export interface HealthCheck {
  ok: boolean;
  detail: string;
}

export type HealthCheckName = 'app_db' | 'workspace_db' | 'redis' | 'worker';

export interface Health {
  status: 'ok' | 'degraded';
  checks: Partial<Record<HealthCheckName, HealthCheck>> & Record<string, HealthCheck | undefined>;
}

// ---------------------------------------------------------------- datasets (apps/datasets)

/** SQL types a dataset type's column may have (settings.SQL_TYPES). */
export const SQL_TYPES = [
  'integer',
  'bigint',
  'double precision',
  'numeric',
  'varchar',
  'text',
  'boolean',
  'date',
  'timestamp',
] as const;

export type SqlType = (typeof SQL_TYPES)[number];

export interface DatasetColumn {
  name: string;
  sql_type: string;
}

export interface DatasetType {
  id: number;
  name: string;
  description: string;
  columns: DatasetColumn[];
  /** Username. */
  creator: string;
  revision: number;
  created_at: string;
  dataset_count: number;
}

export interface DatasetTypeCreate {
  name: string;
  description: string;
  columns: DatasetColumn[];
}

export interface DatasetVersion {
  number: number;
  name: string;
  description: string;
  base: number | null;
  path: number[];
  is_final: boolean;
  row_count: number;
  /** Username. */
  creator: string;
  created_at: string;
  last_modified: string;
}

export interface Dataset {
  id: number;
  name: string;
  description: string;
  keywords: Record<string, string>;
  dataset_type: number;
  dataset_type_name: string;
  project: number;
  project_name: string;
  /** Username. */
  creator: string;
  columns: DatasetColumn[];
  revision: number;
  created_at: string;
  last_modified: string;
  removed_at: string | null;
  /** Published versions, by number. */
  versions: DatasetVersion[];
}

export interface DatasetListParams {
  search?: string;
  project?: number | null;
  type?: number | null;
  /** Admins only: list removed datasets instead. */
  removed?: boolean;
}

export interface DatasetCreate {
  name: string;
  dataset_type: number;
  project: number;
  description: string;
  keywords: Record<string, string>;
}

export interface DatasetUpdate {
  name?: string;
  description?: string;
  keywords?: Record<string, string>;
}

export interface VersionCreate {
  base: number;
  name: string;
  description: string;
}

/** `replace`/`append` make a new version; `into` adds rows to an existing non-final version. */
export type ImportMode = 'replace' | 'append' | 'into';

export interface CsvProblem {
  row: number | null;
  column: string | null;
  reason: string;
}

export type FilterOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'contains' | 'is_null';

export interface RowFilter {
  column: string;
  op: FilterOp;
  value: string;
}

export interface RowsQuery {
  version: number;
  limit: number;
  after: string | null;
  sort: string;
  order: 'asc' | 'desc';
  filters: RowFilter[];
}

/** A cell value as JSON gives it (dates and timestamps are strings). */
export type CellValue = string | number | boolean | null;

export interface RowsPage {
  version: number;
  columns: DatasetColumn[];
  /** Each row is [record_id, ...the type's columns]. */
  rows: CellValue[][];
  /** Cursor of the next page, null on the last one. */
  next: string | null;
  /** Rows in the version (filters not applied). */
  row_count: number;
}

export interface RelatedModule {
  module_id: number;
  module_name: string;
  relation: string;
}

/** Live events on topic `dataset:<id>`. */
export interface ImportProgressEvent {
  bytes_done: number;
  bytes_total: number | null;
}

export interface VersionChangedEvent {
  number: number;
  row_count?: number;
  is_final?: boolean;
}

// ---------------------------------------------------------------- module types (apps/moduletypes)

export type ModuleTypeKind = 'simple' | 'composite';
export type SlotMode = 'IN' | 'INOUT' | 'OUT';

export interface ModuleTypeVersionSummary {
  id: number;
  number: number;
  name: string;
  is_final: boolean;
  last_modified: string;
}

export interface ModuleType {
  id: number;
  name: string;
  description: string;
  kind: ModuleTypeKind;
  tags: string[];
  project: number;
  /** Username. */
  creator: string;
  created_at: string;
  versions: ModuleTypeVersionSummary[];
}

export interface ModuleTypeListParams {
  search?: string;
  kind?: ModuleTypeKind | null;
}

export interface DatasetSlot {
  placeholder: string;
  mode: SlotMode;
  /** Dataset type id. */
  dataset_type: number;
  is_optional: boolean;
  description: string;
}

export interface ParameterSlot {
  name: string;
  sql_type: string;
  mode: SlotMode;
  is_optional: boolean;
  description: string;
}

/** One end of a composite connection; `submodule: null` is the composite itself. */
export interface GraphEndpoint {
  submodule: number | null;
  slot: string;
}

export interface GraphConnection {
  kind: 'dataset' | 'parameter';
  source: GraphEndpoint;
  target: GraphEndpoint;
}

export interface GraphSubmodule {
  /** Unique in the graph. */
  id: number;
  name: string;
  /** Module type version id. */
  version: number;
  position: { x: number; y: number };
}

/** Where the diagram shows the composite's own Inputs and Outputs nodes. */
export interface GraphLayout {
  inputs: { x: number; y: number };
  outputs: { x: number; y: number };
}

export interface CompositeGraph {
  submodules: GraphSubmodule[];
  connections: GraphConnection[];
  /** Absent until the user moves the Inputs/Outputs nodes (or lays the diagram out). */
  layout?: GraphLayout;
}

export interface VersionFields {
  name: string;
  description: string;
  dataset_slots: DatasetSlot[];
  parameter_slots: ParameterSlot[];
  algorithm: string;
  /** `{}` for simple types (and for new composites). */
  graph: CompositeGraph | Record<string, never>;
}

export interface ModuleTypeCreate {
  name: string;
  kind: ModuleTypeKind;
  project: number;
  description: string;
  tags: string[];
  version?: Partial<VersionFields>;
}

export interface ModuleTypeUpdate {
  name?: string;
  description?: string;
  tags?: string[];
}

export interface RevisionNote {
  /** Username. */
  author: string;
  created_at: string;
  note: string;
}

export interface UsedByModule {
  id: number;
  name: string;
}

export interface UsedByComposite {
  id: number;
  module_type_name?: string;
  number?: number;
  name?: string;
}

export interface UsedBy {
  modules: UsedByModule[];
  composites: UsedByComposite[];
}

export interface ModuleTypeVersion extends VersionFields {
  id: number;
  module_type: number;
  module_type_name: string;
  kind: ModuleTypeKind;
  number: number;
  is_final: boolean;
  is_aggregation: boolean;
  /** Username. */
  creator: string;
  created_at: string;
  last_modified: string;
  revision: number;
  revision_notes: RevisionNote[];
  used_by?: UsedBy;
}

/** An item of GET /api/module-type-versions (the composite editor's palette). */
export interface ModuleTypeVersionListItem {
  id: number;
  module_type: number;
  module_type_name: string;
  kind: ModuleTypeKind;
  number: number;
  name: string;
  is_final: boolean;
  dataset_slots: DatasetSlot[];
  parameter_slots: ParameterSlot[];
}

export interface ModuleTypeVersionListParams {
  kind?: ModuleTypeKind | null;
  final?: boolean | null;
}

export interface ModuleTypeVersionUpdate {
  name?: string;
  description?: string;
  dataset_slots?: DatasetSlot[];
  parameter_slots?: ParameterSlot[];
  algorithm?: string;
  graph?: CompositeGraph;
  is_aggregation?: boolean;
  revision_note: string;
  confirm_dependents?: boolean;
}

/** Draft sent to validate instead of the saved version. */
export interface ValidationDraft {
  algorithm?: string;
  dataset_slots?: DatasetSlot[];
  parameter_slots?: ParameterSlot[];
  graph?: CompositeGraph;
}

export interface ValidationError {
  code: string;
  message: string;
  /** 1-based, in the algorithm. */
  line?: number | null;
  column?: number | null;
  /** Submodule id in the graph. */
  submodule?: number | null;
  slot?: string | null;
}

export interface ValidationResult {
  valid: boolean;
  errors: ValidationError[];
}

export interface FinalizePlanItem {
  id: number;
  module_type_name: string;
  number: number;
  name: string;
}

export interface FinalizePlan {
  versions: FinalizePlanItem[];
}
