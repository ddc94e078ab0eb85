/**
 * The app's names for the backend's JSON. Every request and response shape comes from the generated
 * OpenAPI schema (`schema.ts`, `make api-types`, from the API's serializers): a serializer change shows
 * up here as a type error. Hand-written below is only what the schema does not describe: query
 * parameters, live events (WebSocket), progressive results (docs/progressive.md), presence, the
 * normalized composite graph the diagram edits, and UI-only unions.
 */
import type { components } from './schema';

type Schemas = components['schemas'];

/** `T` with the keys `K` optional: request fields the server defaults (openapi-typescript requires them). */
type Defaulted<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

export type Role = Schemas['RoleEnum'];
export type ProjectMembership = Schemas['Membership'];
export type Me = Schemas['Me'];
export type LoginRequest = Schemas['CredentialsRequest'];
export type HealthCheck = Schemas['HealthCheck'];
/** The checks GET /api/health reports (its `checks` keys). */
export type HealthCheckName = 'app_db' | 'workspace_db' | 'redis' | 'worker';
export type Health = Schemas['Health'];

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

export type DatasetColumn = Schemas['Column'];
export type DatasetType = Schemas['DatasetType'];
export type DatasetTypeCreate = Defaulted<Schemas['DatasetTypeWriteRequest'], 'description'>;
export type DatasetVersion = Schemas['DatasetVersion'];
export type Dataset = Schemas['Dataset'];

export interface DatasetListParams {
  search?: string;
  project?: number | null;
  type?: number | null;
  /** Admins only: list removed datasets instead. */
  removed?: boolean;
}

export type DatasetCreate = Defaulted<Schemas['DatasetCreateRequest'], 'description'>;
export type DatasetUpdate = Schemas['PatchedDatasetUpdateRequest'];
export type VersionCreate = Defaulted<Schemas['VersionCreateRequest'], 'name' | 'description'>;

/** `replace`/`append` make a new version (the API's ImportMode); `into` adds rows to an existing non-final version (`version`). */
export type ImportMode = Schemas['ImportMode'] | 'into';

/** One problem of a refused CSV import (the error's details). */
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

/** GET /api/datasets/{id}/rows' query. */
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

/** Each row is [record_id, ...the type's columns] (the schema says only "a list"). */
export type RowsPage = Omit<Schemas['RowsPage'], 'rows'> & { rows: CellValue[][] };

export type RelatedModule = Schemas['RelatedModule'];

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
export type ModuleTypeKind = Schemas['ModuleTypeKind'];
export type SlotMode = Schemas['SlotMode'];
export type ModuleTypeVersionSummary = Schemas['ModuleTypeVersionSummary'];
export type ModuleType = Schemas['ModuleType'];

export interface ModuleTypeListParams {
  search?: string;
  kind?: ModuleTypeKind | null;
  /** true: types with a final version; false: types without one. */
  final?: boolean | null;
}

/** `dataset_type` null: any dataset type (the built-in progressive types' slots). */
export type DatasetSlot = Schemas['DatasetSlot'];
/** A slot as a write takes it: always a dataset type (only the built-ins, never written, have none). */
export type DatasetSlotRequest = Schemas['DatasetSlotRequest'];
export type ParameterSlot = Schemas['ParameterSlot'];

/** One end of a composite connection; `submodule: null` is the composite itself. */
export type GraphEndpoint = Schemas['Endpoint'];
export type GraphConnection = Schemas['Connection'];
/** A submodule as the diagram holds it: always placed (normalizeGraph puts an unplaced one at 0, 0). */
export type GraphSubmodule = Required<Schemas['Submodule']>;
/** Where the diagram shows the composite's own Inputs and Outputs nodes (both, or no layout). */
export type GraphLayout = Required<Schemas['Layout']>;

/**
 * A composite's graph as the diagram edits it: the API's `Graph` normalized (pages/moduletypes/graph
 * normalizeGraph), since the API sends `{}` for simple types and for a composite never saved with a graph,
 * and leaves out empty lists and unplaced positions. Sent back as it is (it is a valid `GraphRequest`).
 */
export interface CompositeGraph {
  submodules: GraphSubmodule[];
  connections: GraphConnection[];
  /** Absent until the user moves the Inputs/Outputs nodes (or lays the diagram out). */
  layout?: GraphLayout;
}

/** POST /api/module-types: `kind` is simple or composite (the progressive types are built in). */
export type ModuleTypeCreate = Defaulted<Schemas['ModuleTypeCreateRequest'], 'description'>;
export type ModuleTypeUpdate = Schemas['PatchedModuleTypeUpdateRequest'];
export type RevisionNote = Schemas['RevisionNote'];
export type UsedByModule = Schemas['UsedByModule'];
export type UsedByComposite = Schemas['UsedByComposite'];
export type UsedBy = Schemas['UsedBy'];
/** A version detail as the API sends it; the app holds `ModuleTypeVersion` (api/graph.ts versionFromApi). */
export type ApiModuleTypeVersion = Schemas['ModuleTypeVersion'];
/** A version detail with its graph normalized (`CompositeGraph`; empty lists for a simple type). */
export type ModuleTypeVersion = Omit<ApiModuleTypeVersion, 'graph'> & { graph: CompositeGraph };

/** {"<submodule id>": phase}: where a submodule runs relative to the graph's aggregation submodules (docs/aggregation.md §1). */
export type Phases = Schemas['TypeValidation']['phases'];
export type Phase = Phases[string];

/** An item of GET /api/module-type-versions (the composite editor's palette). */
export type ModuleTypeVersionListItem = Schemas['ModuleTypeVersionListItem'];

export interface ModuleTypeVersionListParams {
  kind?: ModuleTypeKind | null;
  final?: boolean | null;
}

export type ModuleTypeVersionUpdate = Defaulted<Schemas['PatchedVersionUpdateRequest'], 'confirm_dependents'>;
/** Draft sent to validate instead of the saved version. */
export type ValidationDraft = Schemas['DraftRequest'];
export type ValidationError = Schemas['ValidationError'];
export type AggregationSqlField = Schemas['AggregationSqlField'];
export type ValidationResult = Schemas['TypeValidation'];
export type FinalizePlanItem = Schemas['FinalizePlanItem'];
export type FinalizePlan = Schemas['FinalizePlan'];
/** GET /api/modules/{id}/finalize-plan: what finalizing the module finalizes with it. */
export type ModuleFinalizePlan = Schemas['ModuleFinalizePlan'];
/** POST /api/modules/{id}/finalize's `confirm`: the ids of the plan's non-final versions. */
export type ModuleFinalizeConfirm = Required<Schemas['FinalizeConfirmRequest']>;

// ---------------------------------------------------------------- modules (apps/modules, docs/modules-api.md)

export type ModuleStatusName = Schemas['ModuleStatusName'];
/** One failed UpToDate condition (DESIGN §4). */
export type StatusReason = Schemas['Reason'];
export type ModuleStatus = Schemas['ModuleStatus'];
export type OutputMethod = Schemas['OutputMethodEnum'];
/** IN/INOUT: a dataset and a version (`null` = at run time the latest version for IN, the latest final one for INOUT). */
export type InputBinding = Schemas['InputBinding'];
export type OutputBinding = Schemas['OutputBinding'];
export type DatasetBinding = Schemas['DatasetBinding'];
export type KeepInternal = Schemas['KeepInternal'];
export type EditLock = Schemas['EditLock'];
export type RunSummary = Schemas['RunSummary'];
/** The module's last run as the module resource embeds it. */
export type LastRun = Schemas['LastRun'];
export type Module = Schemas['Module'];
/** One aggregation submodule's state (path "" for a module whose type is itself an aggregation). */
export type AggregationSubmodule = Schemas['AggregationSubmodule'];
/** A module's aggregation state (docs/aggregation.md §2): pending, runs, rows, per submodule. */
export type AggregationSummary = Schemas['AggregationSummary'];

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

export type ModuleCreate = Defaulted<Schemas['ModuleWriteRequest'], 'description'>;
/**
 * `deadline_seconds` may be the text typed: the server's integer field reads "30" as 30 and refuses what is not
 * a whole number with a 400 naming the field, shown on save.
 */
export type ModuleUpdate = Omit<Schemas['PatchedModuleUpdateRequest'], 'deadline_seconds'> & {
  deadline_seconds?: number | string | null;
};
export type ModuleValidationError = Schemas['ModuleValidationError'];
export type ModuleValidationResult = Schemas['ModuleValidation'];
export type RemovalPlanOutput = Schemas['RemovalPlanOutput'];
export type RemovalPlan = Schemas['RemovalPlan'];
export type CompareResult = Schemas['CompareResult'];
export type CompareRow = Schemas['CompareRow'];
export type ModuleComparison = Schemas['Comparison'];
export type BringUpToDateResult = Omit<Schemas['BringUpToDateResult'], 'runs'> & { runs: Run[] };

// ---------------------------------------------------------------- runs (apps/runs)

export type RunResult = Schemas['RunResult'];
export type RunError = Schemas['RunError'];
export type RunLogLine = Schemas['RunLog'];
export type StepParameterRecord = Schemas['StepParameterRecord'];
export type RunDatasetRecord = Schemas['RunDatasetRecord'];
export type RunParameterRecord = Schemas['RunParameterRecord'];
/** A steering change applied to a run (Run.steering, event `steered`). */
export type SteeringRecord = Schemas['SteeringRecord'];
/** POST /api/runs/{id}/steer. */
export type SteerRequest = Schemas['SteerRequest'];

/** A step of a run; `progressive` is a progressive submodule's latest partial result (the schema says only "an object"). */
export type RunStep = Omit<Schemas['StepRecord'], 'progressive'> & { progressive: ProgressiveSnapshot | null };
export type Run = Omit<Schemas['Run'], 'steps'> & { steps: RunStep[] };

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

/** A viewer of an object, from its presence topic. */
export interface PresenceViewer {
  user: string;
  user_name: string;
  since: string;
}
