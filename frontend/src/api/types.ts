/** Shapes of the backend's JSON (see shared/DESIGN.md §8). */
import type { components } from './schema';

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

/** `progressive`: the built-in, read-only progressive types (Scan, Filter, Min, Max, Stats, Histogram, Quantiles). */
export type ModuleTypeKind = 'simple' | 'composite' | 'progressive';
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
  /** null: a built-in type (kind `progressive`), visible in every project. */
  project: number | null;
  /** Username; null for the built-in types. */
  creator: string | null;
  created_at: string;
  versions: ModuleTypeVersionSummary[];
  /** Who is editing the type's versions (null: nobody). */
  lock?: EditLock | null;
}

export interface ModuleTypeListParams {
  search?: string;
  kind?: ModuleTypeKind | null;
  /** true: types with a final version; false: types without one. */
  final?: boolean | null;
}

export interface DatasetSlot {
  placeholder: string;
  mode: SlotMode;
  /** Dataset type id; null: any dataset type (the built-in progressive types). */
  dataset_type: number | null;
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
  /** An aggregation version's own SQL (docs/aggregation.md §1); '' = the default. */
  aggregate_sql?: string;
  process_sql?: string;
  clear_sql?: string;
  /** A composite's submodules by phase, of the saved graph; {} without an aggregation submodule. */
  phases?: Phases;
  /** Username. */
  creator: string;
  created_at: string;
  last_modified: string;
  revision: number;
  revision_notes: RevisionNote[];
  used_by?: UsedBy;
}

/** Where a submodule runs relative to the graph's aggregation submodules (docs/aggregation.md §1). */
export type Phase = Phases[string];
/** {"<submodule id>": phase}. */
export type Phases = components['schemas']['TypeValidation']['phases'];

/** An item of GET /api/module-type-versions (the composite editor's palette). */
export interface ModuleTypeVersionListItem {
  id: number;
  module_type: number;
  module_type_name: string;
  kind: ModuleTypeKind;
  number: number;
  name: string;
  is_final: boolean;
  is_aggregation?: boolean;
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
  aggregate_sql?: string;
  process_sql?: string;
  clear_sql?: string;
  revision_note: string;
  confirm_dependents?: boolean;
}

/** Draft sent to validate instead of the saved version. */
export interface ValidationDraft {
  algorithm?: string;
  dataset_slots?: DatasetSlot[];
  parameter_slots?: ParameterSlot[];
  graph?: CompositeGraph;
  is_aggregation?: boolean;
  aggregate_sql?: string;
  process_sql?: string;
  clear_sql?: string;
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
  /** The SQL field the line/column are in: absent = the algorithm. */
  field?: AggregationSqlField | null;
}

export type AggregationSqlField = components['schemas']['AggregationSqlField'];

export interface ValidationResult {
  valid: boolean;
  errors: ValidationError[];
  /** The draft graph's submodules by phase ({} without an aggregation submodule). */
  phases?: Phases;
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

/** GET /api/modules/{id}/finalize-plan: what finalizing the module finalizes with it. */
export interface ModuleFinalizePlan {
  /** Non-final type versions: the module's, then those it uses (composite), recursively. */
  type_versions: (FinalizePlanItem & { module_type: number })[];
  /** The dataset versions of the last run; `is_final` ones are final already. */
  dataset_versions: {
    id: number;
    dataset: number;
    dataset_name: string;
    number: number;
    name: string;
    is_final: boolean;
    direction: 'IN' | 'OUT' | 'INOUT';
  }[];
  /** EMF conditions that still refuse it. */
  blockers: { code: string; message: string }[];
}

/** POST /api/modules/{id}/finalize's `confirm`: the ids of the plan's non-final versions. */
export interface ModuleFinalizeConfirm {
  type_versions: number[];
  dataset_versions: number[];
}

// ---------------------------------------------------------------- modules (apps/modules, docs/modules-api.md)

export type ModuleStatusName = 'UpToDate' | 'OutOfDate';

/** One failed UpToDate condition (DESIGN §4). */
export interface StatusReason {
  code: string;
  message: string;
}

export interface ModuleStatus {
  status: ModuleStatusName;
  reasons: StatusReason[];
}

export type OutputMethod = 'NEW' | 'REPLACE';

/** IN/INOUT: a dataset and a version (`null` = at run time the latest version for IN, the latest final one for INOUT). */
export interface InputBinding {
  dataset: number;
  version: number | null;
}

export interface OutputBinding {
  output_method: OutputMethod;
  /** NEW: the new dataset's name, with general placeholders. */
  name_pattern?: string;
  /** REPLACE: the target dataset. */
  dataset?: number;
}

export type DatasetBinding = InputBinding | OutputBinding;

export interface KeepInternal {
  datasets: string[];
  parameters: string[];
}

export interface EditLock {
  /** Username. */
  user: string;
  user_name: string;
  since: string;
  expires_at: string;
}

export interface RunSummary {
  id: number;
  module: number;
  run_number: number;
  mode: 'run' | 'process';
  /** Username. */
  user: string;
  stage: string;
  /** '' while the run is going. */
  result: RunResult | '';
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  error: RunError | null;
}

/** The module's last run as the module resource embeds it. */
export interface LastRun {
  id: number;
  number: number;
  result: RunResult | '' | null;
  started_at: string | null;
  ended_at: string | null;
  /** Why a FAILED / CANCELLED / TIMEOUT run ended (null otherwise). */
  error?: RunError | null;
}

export interface Module {
  id: number;
  name: string;
  description: string;
  project: number;
  project_name?: string;
  /** Username. */
  creator: string;
  creator_name?: string;
  tags: string[];
  type_version: number;
  type_id?: number;
  type_name: string;
  type_version_number: number;
  type_kind?: ModuleTypeKind;
  type_version_final?: boolean;
  dataset_bindings: Record<string, DatasetBinding>;
  /** Absent = not set; "" is a value. */
  parameter_bindings: Record<string, string | null>;
  keep_internal: Partial<KeepInternal>;
  /** A deadline shorter than the deployment's, per step; null: the deployment's. */
  deadline_seconds?: number | null;
  is_final: boolean;
  created_at: string;
  last_modified: string;
  revision: number;
  status?: ModuleStatusName;
  reasons?: StatusReason[];
  last_run?: LastRun | null;
  lock?: EditLock | null;
  /** Its aggregation state (docs/aggregation.md §2); null: the module has no aggregation. */
  aggregation?: AggregationSummary | null;
}

/** One aggregation submodule's state (path "" for a module whose type is itself an aggregation). */
export type AggregationSubmodule = components['schemas']['AggregationSubmodule'];
/** A module's aggregation state (docs/aggregation.md §2): pending, runs, rows, per submodule. */
export type AggregationSummary = components['schemas']['AggregationSummary'];

export interface ModuleListParams {
  search?: string;
  composite?: boolean | null;
  final?: boolean | null;
  tag?: string;
  project?: number | null;
  module_type?: number | null;
  type_version?: number | null;
  creator?: string;
  status?: ModuleStatusName | null;
  lock_owner?: string;
  /** ISO dates (yyyy-mm-dd). */
  modified_after?: string;
  modified_before?: string;
}

export interface ModuleCreate {
  name: string;
  type_version: number;
  project: number;
  description?: string;
  tags?: string[];
  dataset_bindings?: Record<string, DatasetBinding>;
  parameter_bindings?: Record<string, string>;
  keep_internal?: KeepInternal;
}

export interface ModuleUpdate {
  name?: string;
  description?: string;
  tags?: string[];
  project?: number;
  dataset_bindings?: Record<string, DatasetBinding>;
  parameter_bindings?: Record<string, string>;
  keep_internal?: KeepInternal;
  /** Seconds (the text typed is sent as it is: the server refuses what is not a whole number). */
  deadline_seconds?: number | string | null;
  type_version?: number;
}

export interface ModuleValidationError {
  code: string;
  message: string;
  slot?: string | null;
}

export interface ModuleValidationResult {
  valid: boolean;
  errors: ModuleValidationError[];
}

export interface RemovalPlanOutput {
  dataset: number;
  name: string;
  removable: boolean;
  used_by: string[];
  /** Why it stays, when it is not removable. */
  reason?: string;
}

export interface RemovalPlan {
  allowed: boolean;
  reason?: string | null;
  outputs: RemovalPlanOutput[];
}

export type CompareResult = 'MATCH' | 'DIFFERENT' | 'FIRST ONLY' | 'SECOND ONLY';

export interface CompareRow {
  section: string;
  key: string;
  first: string | null;
  second: string | null;
  result: CompareResult;
}

export interface ModuleComparison {
  first: { id: number; name: string };
  second: { id: number; name: string };
  rows: CompareRow[];
}

export interface BringUpToDateResult {
  /** In execution order. */
  runs: RunSummary[];
  /** Modules that were UpToDate when asked (they run anyway). */
  already_up_to_date: number[];
}

// ---------------------------------------------------------------- runs (apps/runs)

export type RunResult = 'SUCCESS' | 'FAILED' | 'CANCELLED' | 'TIMEOUT';

export interface RunError {
  message: string;
  line?: number | null;
  column?: number | null;
  submodule?: string | null;
  sqlstate?: string | null;
  detail?: string | null;
  hint?: string | null;
}

export interface RunLogLine {
  /** The (sub)module's path, '' for the module itself. */
  path: string;
  at: string;
  level: string;
  message: string;
}

export interface RunStep {
  path: string;
  name: string;
  type_version: number;
  setup_script: string;
  user_script: string;
  teardown_script: string;
  stage: string;
  result: RunResult | '';
  started_at: string | null;
  ended_at: string | null;
  seconds: number | null;
  error: RunError | null;
  /** The step's own parameters (input values as text), as the worker recorded them when it started. */
  parameters?: StepParameterRecord[];
  /** A progressive submodule's latest partial result (stored at most once a second and at the end); null otherwise. */
  progressive?: ProgressiveSnapshot | null;
}

// -------------------------------------------- progressive runs (docs/progressive.md, the contract)

/** The type name in lower case. */
export type ProgressiveKind = 'scan' | 'filter' | 'min' | 'max' | 'stats' | 'histogram' | 'quantiles';

/** The eight scheduler states. */
export type SchedulerState = 'created' | 'ready' | 'running' | 'blocked' | 'suspended' | 'zombie' | 'terminated' | 'invalid';

export interface ExtremumResult {
  values: Record<string, number | null>;
}

export interface ColumnStats {
  count: number | null;
  mean: number | null;
  variance: number | null;
  min: number | null;
  max: number | null;
}

export interface StatsResult {
  columns: Record<string, ColumnStats>;
}

export interface HistogramResult {
  column: string;
  /** bins + 1 numbers. */
  edges: number[];
  counts: number[];
  underflow: number;
  overflow: number;
  nan: number;
}

export interface QuantilesResult {
  column: string;
  quantiles: [number, number | null][];
  count: number;
  exact: boolean;
  rank_error: number;
}

export interface RowsResult {
  rows: number;
}

export type ProgressiveResult = ExtremumResult | StatsResult | HistogramResult | QuantilesResult | RowsResult;

/** Event `partial` on `run:<id>`. */
export interface PartialEvent {
  path: string;
  kind: ProgressiveKind | string;
  result: ProgressiveResult | Record<string, unknown>;
  final: boolean;
}

/** Event `progress` on `run:<id>`. */
export interface ProgressEvent {
  path: string;
  state: SchedulerState | string | null;
  done: number;
  total: number | null;
  /** Rows/s. */
  rate: number | null;
  /** Seconds since the step started. */
  elapsed: number | null;
  /** A SQL step's outputs: placeholder → rows written so far. */
  written: Record<string, number>;
}

/** RunStep.progressive. */
export interface ProgressiveSnapshot {
  kind: ProgressiveKind | string;
  result: ProgressiveResult | Record<string, unknown>;
  final: boolean;
  state: SchedulerState | string | null;
  done: number;
  total: number | null;
}

/** A steering change applied to a run (Run.steering, event `steered`). */
export interface SteeringRecord {
  path: string;
  parameters: Record<string, string>;
  at: string;
  /** Username. */
  user: string;
}

/** POST /api/runs/{id}/steer. */
export interface SteerRequest {
  path: string;
  /** Values as text. */
  parameters: Record<string, string>;
}

export interface StepParameterRecord {
  name: string;
  mode: SlotMode;
  sql_type: string;
  input_value: string | null;
  output_value?: string | null;
}

export interface RunDatasetRecord {
  path: string;
  placeholder: string;
  direction: 'IN' | 'OUT' | string;
  dataset: number;
  dataset_name: string;
  version: number | null;
}

export interface RunParameterRecord {
  path: string;
  name: string;
  mode: SlotMode;
  sql_type: string;
  input_value: string | null;
  output_value: string | null;
}

export interface Run extends RunSummary {
  type_version: number;
  /** The type version by name: its module type (id, name), number and version name. */
  module_type: number;
  module_type_name: string;
  type_version_number: number;
  type_version_name: string;
  worker: string;
  cancel_requested: boolean;
  datasets: RunDatasetRecord[];
  parameters: RunParameterRecord[];
  results: Record<string, unknown>;
  steps: RunStep[];
  log: RunLogLine[];
  /** Steering changes applied while the run went, oldest first. */
  steering?: SteeringRecord[];
}

/** A viewer of an object, from its presence topic. */
export interface PresenceViewer {
  user: string;
  user_name: string;
  since: string;
}
