/**
 * The Module Editor's unsaved state and its rules (pure): dataset bindings (IN/INOUT: a dataset and a
 * version or "latest" (INOUT: "latest final"); OUT: NEW with a name pattern or REPLACE with a target), parameter values
 * (not set ≠ empty string), keep flags for a composite's internal datasets and parameters.
 */
import type {
  CompositeGraph,
  DatasetBinding,
  DatasetSlot,
  InputBinding,
  KeepInternal,
  Module,
  ModuleUpdate,
  OutputBinding,
  ParameterSlot,
} from '../../api/types';
import { parseTags } from '../../components/FormFields';

export interface ModuleDraft {
  name: string;
  description: string;
  /** As typed: comma separated. */
  tags: string;
  project: number;
  dataset_bindings: Record<string, DatasetBinding>;
  /** Absent = not set. */
  parameter_bindings: Record<string, string>;
  keep_internal: KeepInternal;
  /** Seconds as typed; "" = the deployment's deadline. */
  deadline: string;
}

export function isInputSlot(slot: Pick<DatasetSlot, 'mode'>): boolean {
  return slot.mode === 'IN' || slot.mode === 'INOUT';
}

export function isInputBinding(binding: DatasetBinding | undefined): binding is InputBinding {
  return !!binding && !('output_method' in binding) && typeof (binding as InputBinding).dataset === 'number';
}

export function isOutputBinding(binding: DatasetBinding | undefined): binding is OutputBinding {
  return !!binding && 'output_method' in binding;
}

function sortedUnique(values: string[] | undefined): string[] {
  return [...new Set(values ?? [])].sort();
}

export function draftFromModule(module: Module): ModuleDraft {
  const parameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(module.parameter_bindings ?? {})) {
    if (value !== null && value !== undefined) parameters[name] = value;
  }
  return {
    name: module.name,
    description: module.description,
    tags: module.tags.join(', '),
    project: module.project,
    dataset_bindings: { ...module.dataset_bindings },
    parameter_bindings: parameters,
    keep_internal: {
      datasets: sortedUnique(module.keep_internal?.datasets),
      parameters: sortedUnique(module.keep_internal?.parameters),
    },
    deadline: module.deadline_seconds ? String(module.deadline_seconds) : '',
  };
}

/** The default of an OUT slot: a NEW dataset named after the module and the placeholder. */
export function defaultNamePattern(moduleName: string, placeholder: string): string {
  return `${moduleName} ${placeholder} #\${run.id}`;
}

// ------------------------------------------------------------------ edits (each returns a new draft)

export function bindInput(draft: ModuleDraft, placeholder: string, dataset: number | null, version: number | null): ModuleDraft {
  const bindings = { ...draft.dataset_bindings };
  if (dataset === null) delete bindings[placeholder];
  else bindings[placeholder] = { dataset, version };
  return { ...draft, dataset_bindings: bindings };
}

export function bindOutputNew(draft: ModuleDraft, placeholder: string, namePattern: string): ModuleDraft {
  return {
    ...draft,
    dataset_bindings: { ...draft.dataset_bindings, [placeholder]: { output_method: 'NEW', name_pattern: namePattern } },
  };
}

export function bindOutputReplace(draft: ModuleDraft, placeholder: string, dataset: number | null): ModuleDraft {
  const binding: OutputBinding = { output_method: 'REPLACE' };
  if (dataset !== null) binding.dataset = dataset;
  return { ...draft, dataset_bindings: { ...draft.dataset_bindings, [placeholder]: binding } };
}

export function unbind(draft: ModuleDraft, placeholder: string): ModuleDraft {
  const bindings = { ...draft.dataset_bindings };
  delete bindings[placeholder];
  return { ...draft, dataset_bindings: bindings };
}

/** `value === null` unsets the parameter; "" is a value like any other. */
export function setParameter(draft: ModuleDraft, name: string, value: string | null): ModuleDraft {
  const parameters = { ...draft.parameter_bindings };
  if (value === null) delete parameters[name];
  else parameters[name] = value;
  return { ...draft, parameter_bindings: parameters };
}

export function setKeep(draft: ModuleDraft, kind: keyof KeepInternal, key: string, keep: boolean): ModuleDraft {
  const current = new Set(draft.keep_internal[kind]);
  if (keep) current.add(key);
  else current.delete(key);
  return { ...draft, keep_internal: { ...draft.keep_internal, [kind]: [...current].sort() } };
}

// ------------------------------------------------------------------ comparing and saving

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sortedEntries(record: Record<string, unknown>): [string, unknown][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

/** Only what changed, as a PATCH body. */
export function changesFrom(base: ModuleDraft, draft: ModuleDraft): ModuleUpdate {
  const out: ModuleUpdate = {};
  if (draft.name.trim() !== base.name) out.name = draft.name.trim();
  if (draft.description !== base.description) out.description = draft.description;
  if (!same(parseTags(draft.tags), parseTags(base.tags))) out.tags = parseTags(draft.tags);
  if (draft.project !== base.project) out.project = draft.project;
  if (!same(sortedEntries(draft.dataset_bindings), sortedEntries(base.dataset_bindings))) out.dataset_bindings = draft.dataset_bindings;
  if (!same(sortedEntries(draft.parameter_bindings), sortedEntries(base.parameter_bindings))) {
    out.parameter_bindings = draft.parameter_bindings;
  }
  if (!same(draft.keep_internal, base.keep_internal)) out.keep_internal = draft.keep_internal;
  if (draft.deadline.trim() !== base.deadline.trim()) out.deadline_seconds = deadlineValue(draft.deadline);
  return out;
}

/** "" is no deadline of the module's own; anything else goes to the server as typed, which refuses
 * what is not a whole number of seconds with a 400 shown on save. */
function deadlineValue(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed;
}

export function isDirty(base: ModuleDraft, draft: ModuleDraft): boolean {
  return Object.keys(changesFrom(base, draft)).length > 0;
}

/** What the server would refuse or the run would lack, said before saving (one line per problem). */
export function draftProblems(draft: ModuleDraft, datasetSlots: DatasetSlot[], parameterSlots: ParameterSlot[]): string[] {
  const problems: string[] = [];
  if (!draft.name.trim()) problems.push('The module needs a name.');
  for (const slot of datasetSlots) {
    const binding = draft.dataset_bindings[slot.placeholder];
    if (isInputSlot(slot)) {
      if (!isInputBinding(binding) && !slot.is_optional) problems.push(`${slot.placeholder}: choose a dataset.`);
    } else if (!isOutputBinding(binding)) {
      if (!slot.is_optional) problems.push(`${slot.placeholder}: choose NEW or REPLACE.`);
    } else if (binding.output_method === 'NEW' && !binding.name_pattern?.trim()) {
      problems.push(`${slot.placeholder}: a NEW output needs a name pattern.`);
    } else if (binding.output_method === 'REPLACE' && binding.dataset == null) {
      problems.push(`${slot.placeholder}: choose the dataset to replace.`);
    }
  }
  for (const slot of parameterSlots) {
    if (slot.mode === 'OUT' || slot.is_optional) continue;
    if (!(slot.name in draft.parameter_bindings)) problems.push(`${slot.name}: set a value.`);
  }
  return problems;
}

// ------------------------------------------------------------------ composite internals

export interface InternalItem {
  /** `<submodule name>.<slot>`: the key of the keep flags. */
  key: string;
  submodule: string;
  slot: string;
  /** Submodules reading it. */
  consumers: string[];
}

/**
 * A composite's internal datasets and parameters: outputs of a submodule read by another submodule
 * (outputs wired to the composite's own outputs are its outputs, not internal).
 */
export function internalItems(graph: CompositeGraph | Record<string, never> | null | undefined): {
  datasets: InternalItem[];
  parameters: InternalItem[];
} {
  const result = { datasets: [] as InternalItem[], parameters: [] as InternalItem[] };
  if (!graph || !('submodules' in graph)) return result;
  const names = new Map(graph.submodules.map((s) => [s.id, s.name]));
  const byKey = new Map<string, InternalItem & { kind: 'dataset' | 'parameter' }>();
  for (const c of graph.connections) {
    if (c.source.submodule === null || c.target.submodule === null) continue;
    const submodule = names.get(c.source.submodule);
    const consumer = names.get(c.target.submodule);
    if (submodule === undefined || consumer === undefined) continue;
    const key = `${submodule}.${c.source.slot}`;
    const item = byKey.get(key) ?? { key, submodule, slot: c.source.slot, consumers: [], kind: c.kind };
    if (!item.consumers.includes(consumer)) item.consumers.push(consumer);
    byKey.set(key, item);
  }
  for (const { kind, ...item } of [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key))) {
    (kind === 'dataset' ? result.datasets : result.parameters).push(item);
  }
  return result;
}
