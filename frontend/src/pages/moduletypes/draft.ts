/** The Version Editor's draft (everything but the diagram) and the request bodies made from it (pure). */
import { isApiError } from '../../api/client';
import slotNameRules from './slotNameRules.json';
import type {
  CompositeGraph,
  DatasetSlot,
  DatasetSlotRequest,
  DatasetType,
  ModuleTypeKind,
  ModuleTypeVersion,
  ModuleTypeVersionUpdate,
  ParameterSlot,
  UsedBy,
  ValidationDraft,
} from '../../api/types';
import type { PlaceholderSlots } from './sql/completion';

export interface VersionDraft {
  name: string;
  description: string;
  is_aggregation: boolean;
  dataset_slots: DatasetSlot[];
  parameter_slots: ParameterSlot[];
  algorithm: string;
  /** An aggregation version's own SQL (docs/aggregation.md §1); '' = the default. */
  aggregate_sql: string;
  process_sql: string;
  clear_sql: string;
}

export function draftFromVersion(v: ModuleTypeVersion): VersionDraft {
  return {
    name: v.name,
    description: v.description ?? '',
    is_aggregation: !!v.is_aggregation,
    dataset_slots: (v.dataset_slots ?? []).map((s) => ({
      placeholder: s.placeholder,
      mode: s.mode,
      dataset_type: s.dataset_type,
      is_optional: !!s.is_optional,
      description: s.description ?? '',
    })),
    parameter_slots: (v.parameter_slots ?? []).map((s) => ({
      name: s.name,
      sql_type: s.sql_type,
      mode: s.mode,
      is_optional: !!s.is_optional,
      description: s.description ?? '',
    })),
    algorithm: v.algorithm ?? '',
    aggregate_sql: v.aggregate_sql ?? '',
    process_sql: v.process_sql ?? '',
    clear_sql: v.clear_sql ?? '',
  };
}

export function draftsEqual(a: VersionDraft, b: VersionDraft): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * My edits replayed on someone else's newer version (after a 412): each field I changed since my base
 * keeps my value, every other field takes theirs. A field both changed is mine (I see it and save it).
 */
export function rebaseDraft(mine: VersionDraft, myBase: VersionDraft, theirs: VersionDraft): VersionDraft {
  const out = { ...theirs } as Record<keyof VersionDraft, unknown>;
  for (const key of Object.keys(mine) as (keyof VersionDraft)[]) {
    if (JSON.stringify(mine[key]) !== JSON.stringify(myBase[key])) out[key] = mine[key];
  }
  return out as unknown as VersionDraft;
}

/**
 * The dataset slots as a write takes them: every slot names a dataset type. Only the built-in types'
 * slots have none (any type), and those are read-only, never sent; 0 would be refused as an unknown type.
 */
function slotsToSend(slots: DatasetSlot[]): DatasetSlotRequest[] {
  return slots.map((s) => ({ ...s, dataset_type: s.dataset_type ?? 0 }));
}

/** The PATCH body: the whole draft (and, for composites, the whole graph with positions) at once. */
export function updateBody(
  kind: ModuleTypeKind,
  draft: VersionDraft,
  graph: CompositeGraph | null,
  note: string,
  confirmDependents = false,
): ModuleTypeVersionUpdate {
  const body: ModuleTypeVersionUpdate = {
    name: draft.name.trim(),
    description: draft.description,
    is_aggregation: draft.is_aggregation,
    dataset_slots: slotsToSend(draft.dataset_slots),
    parameter_slots: draft.parameter_slots,
    revision_note: note.trim(),
  };
  if (kind === 'simple') {
    body.algorithm = draft.algorithm;
    body.aggregate_sql = draft.aggregate_sql;
    body.process_sql = draft.process_sql;
    body.clear_sql = draft.clear_sql;
  } else if (graph) body.graph = graph;
  if (confirmDependents) body.confirm_dependents = true;
  return body;
}

/** The draft to validate instead of the saved version. */
export function validationBody(kind: ModuleTypeKind, draft: VersionDraft, graph: CompositeGraph | null): ValidationDraft {
  return kind === 'simple'
    ? {
        algorithm: draft.algorithm,
        dataset_slots: slotsToSend(draft.dataset_slots),
        parameter_slots: draft.parameter_slots,
        is_aggregation: draft.is_aggregation,
        aggregate_sql: draft.aggregate_sql,
        process_sql: draft.process_sql,
        clear_sql: draft.clear_sql,
      }
    : { dataset_slots: slotsToSend(draft.dataset_slots), parameter_slots: draft.parameter_slots, graph: graph ?? undefined, is_aggregation: draft.is_aggregation };
}

/** What completion offers: the draft's current slots. */
export function completionSlots(draft: VersionDraft, datasetTypes: readonly Pick<DatasetType, 'id' | 'name'>[] = []): PlaceholderSlots {
  const typeName = new Map(datasetTypes.map((t) => [t.id, t.name]));
  return {
    datasets: draft.dataset_slots
      .filter((s) => s.placeholder.trim())
      .map((s) => ({ name: s.placeholder.trim(), mode: s.mode, type: s.dataset_type == null ? undefined : typeName.get(s.dataset_type), description: s.description })),
    parameters: draft.parameter_slots
      .filter((s) => s.name.trim())
      .map((s) => ({ name: s.name.trim(), mode: s.mode, type: s.sql_type, description: s.description })),
  };
}

function uniqueSlotName(base: string, draft: VersionDraft): string {
  const taken = new Set([...draft.dataset_slots.map((s) => s.placeholder), ...draft.parameter_slots.map((s) => s.name)].map((n) => n.toLowerCase()));
  for (let i = 1; ; i++) {
    const name = `${base}_${i}`;
    if (!taken.has(name)) return name;
  }
}

export function newDatasetSlot(draft: VersionDraft, datasetType: number): DatasetSlot {
  return { placeholder: uniqueSlotName('dataset', draft), mode: 'IN', dataset_type: datasetType, is_optional: false, description: '' };
}

export function newParameterSlot(draft: VersionDraft, sqlType = 'integer'): ParameterSlot {
  return { name: uniqueSlotName('param', draft), sql_type: sqlType, mode: 'IN', is_optional: false, description: '' };
}

/* The slot-name rules are the engine's (apps/engine/placeholders.py, the one source): its pattern,
   reserved names and messages, checked against the engine's vectors in draft.test.ts. */
const NAME_RE = new RegExp(`^(?:${slotNameRules.name_pattern})$`);
const RESERVED = new Set(slotNameRules.reserved_dataset_placeholders);

/** Python's repr() of a name, as the engine's messages quote it. */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote;
}

/** The engine's slot_name_errors: dataset placeholders first, then parameters; one namespace. */
export function slotNameErrors(datasetPlaceholders: string[], parameterNames: string[]): { code: string; message: string }[] {
  const errors: { code: string; message: string }[] = [];
  const seen = new Set<string>();
  const check = (names: string[], what: string, reserved: boolean) => {
    for (const name of names) {
      const lower = name.toLowerCase();
      if (!NAME_RE.test(name)) {
        errors.push({ code: 'invalid_name', message: `Invalid ${what} name ${pyRepr(name)}: use letters, digits and underscores, start with a letter or an underscore, at most ${slotNameRules.max_length} characters.` });
      } else if (reserved && RESERVED.has(lower)) {
        errors.push({ code: 'invalid_name', message: `Invalid ${what} name ${pyRepr(name)}: it is reserved for the general placeholders \${${lower}.*}.` });
      } else if (seen.has(lower)) {
        errors.push({ code: 'duplicate_name', message: `Duplicate ${what} name ${pyRepr(name)}.` });
      }
      seen.add(lower);
    }
  };
  check(datasetPlaceholders, 'dataset placeholder', true);
  check(parameterNames, 'parameter', false);
  return errors;
}

/** Problems the server would refuse the slots' names for (shown before saving). */
export function slotProblems(draft: VersionDraft): string[] {
  return slotNameErrors(draft.dataset_slots.map((s) => s.placeholder), draft.parameter_slots.map((s) => s.name)).map((e) => e.message);
}

/** The modules and composites listed in a 409 (`has_dependents`, `type_in_use`, …), else null. */
export function usedByFromError(error: unknown): UsedBy | null {
  if (!isApiError(error) || error.status !== 409) return null;
  const d = error.details as Partial<UsedBy> | null;
  if (!d || typeof d !== 'object') return null;
  const modules = Array.isArray(d.modules) ? d.modules : [];
  const composites = Array.isArray(d.composites) ? d.composites : [];
  if (!modules.length && !composites.length) return null;
  return { modules, composites };
}

export function mergeUsedBy(list: (UsedBy | null | undefined)[]): UsedBy {
  const modules = new Map<number, UsedBy['modules'][number]>();
  const composites = new Map<number, UsedBy['composites'][number]>();
  for (const u of list) {
    u?.modules?.forEach((m) => modules.set(m.id, m));
    u?.composites?.forEach((c) => composites.set(c.id, c));
  }
  return { modules: [...modules.values()], composites: [...composites.values()] };
}

export function isUsed(used: UsedBy | null | undefined): boolean {
  return !!used && (used.modules.length > 0 || used.composites.length > 0);
}
