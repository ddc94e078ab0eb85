/**
 * Pure logic of a composite module type's graph (no React, no xyflow): slots of the nodes,
 * the connection rules of the EMF Version Editor, cycle detection, id/name allocation,
 * and the edits (add, remove, rename, move, connect, copy/paste). Every edit returns a new graph.
 */
import type {
  CompositeGraph,
  DatasetSlot,
  GraphConnection,
  GraphEndpoint,
  GraphLayout,
  GraphSubmodule,
  ParameterSlot,
  SlotMode,
} from '../../../api/types';
import { normalizeGraph } from '../../../api/graph';

/** Normalizing lives at the API boundary (api/graph.ts); re-exported for the diagram's callers. */
export { normalizeGraph };

export type SlotKind = 'dataset' | 'parameter';

/** The slots of a version (a submodule's, or the composite's own). */
export interface VersionSlots {
  dataset_slots: DatasetSlot[];
  parameter_slots: ParameterSlot[];
}

/** A submodule's version as the editor knows it (from the palette list). */
export interface VersionInfo extends VersionSlots {
  id: number;
  module_type_name: string;
  number: number;
  name: string;
  kind?: string;
  is_final?: boolean;
  /** An aggregation type version (docs/aggregation.md): its node is purple before validation says more. */
  is_aggregation?: boolean;
}

export interface Port {
  name: string;
  kind: SlotKind;
  mode: SlotMode;
  /**
   * Dataset type id (as text) or SQL type: two ports connect only when kind and type are equal, or one
   * of two dataset ports accepts any dataset type (ANY_DATASET_TYPE: the built-in progressive types).
   */
  type: string;
  optional: boolean;
  description: string;
}

export interface GraphContext {
  /** The composite's own slots (the draft's, not the saved ones). */
  own: VersionSlots;
  versions: ReadonlyMap<number, VersionSlots>;
  /** Dataset type id (as text) → name, for messages. */
  datasetTypeNames?: ReadonlyMap<string, string>;
}

/** A dataset slot with `dataset_type: null` accepts (or produces) a dataset of any type. */
export const ANY_DATASET_TYPE = 'any';

/** Whether two ports of the same kind have compatible types. */
export function typesCompatible(a: Port, b: Port): boolean {
  if (a.type === b.type) return true;
  return a.kind === 'dataset' && (a.type === ANY_DATASET_TYPE || b.type === ANY_DATASET_TYPE);
}

export const EMPTY_GRAPH: CompositeGraph = { submodules: [], connections: [] };

/** A graph with the composite's own nodes placed (an edit like any other: it is saved). */
export function withLayout(graph: CompositeGraph, layout: GraphLayout): CompositeGraph {
  return { ...graph, layout: { inputs: { ...layout.inputs }, outputs: { ...layout.outputs } } };
}

// ------------------------------------------------------------------------------------------- ports

export function portsOf(slots: VersionSlots | null | undefined): Port[] {
  if (!slots) return [];
  return [
    ...(slots.dataset_slots ?? []).map(
      (s): Port => ({
        name: s.placeholder,
        kind: 'dataset',
        mode: s.mode,
        type: s.dataset_type == null ? ANY_DATASET_TYPE : String(s.dataset_type),
        optional: !!s.is_optional,
        description: s.description ?? '',
      }),
    ),
    ...(slots.parameter_slots ?? []).map(
      (s): Port => ({
        name: s.name,
        kind: 'parameter',
        mode: s.mode,
        type: s.sql_type,
        optional: !!s.is_optional,
        description: s.description ?? '',
      }),
    ),
  ];
}

const isInputMode = (mode: SlotMode) => mode === 'IN' || mode === 'INOUT';
const isOutputMode = (mode: SlotMode) => mode === 'OUT' || mode === 'INOUT';

/** A submodule's inputs: its IN and INOUT slots (drawn on the left). */
export function inputPorts(slots: VersionSlots | null | undefined): Port[] {
  return portsOf(slots).filter((p) => isInputMode(p.mode));
}

/** A submodule's outputs: its OUT and INOUT slots (drawn on the right). */
export function outputPorts(slots: VersionSlots | null | undefined): Port[] {
  return portsOf(slots).filter((p) => isOutputMode(p.mode));
}

/**
 * The ports an endpoint may use. As a source: a submodule's outputs, or (submodule null) the
 * composite's own IN/INOUT slots (the "Inputs" node). As a target: a submodule's inputs, or the
 * composite's own OUT/INOUT slots (the "Outputs" node).
 */
export function endpointPorts(ctx: GraphContext, graph: CompositeGraph, submodule: number | null, role: 'source' | 'target'): Port[] | null {
  if (submodule === null) return role === 'source' ? inputPorts(ctx.own) : outputPorts(ctx.own);
  const sub = graph.submodules.find((s) => s.id === submodule);
  if (!sub) return null;
  const slots = ctx.versions.get(sub.version);
  if (!slots) return null;
  return role === 'source' ? outputPorts(slots) : inputPorts(slots);
}

function findPort(ports: Port[] | null, slot: string, kind?: SlotKind): Port | undefined {
  return ports?.find((p) => p.name === slot && (kind === undefined || p.kind === kind));
}

// ----------------------------------------------------------------------------------- connections

export function sameEndpoint(a: GraphEndpoint, b: GraphEndpoint): boolean {
  return a.submodule === b.submodule && a.slot === b.slot;
}

export function sameConnection(a: GraphConnection, b: GraphConnection): boolean {
  return a.kind === b.kind && sameEndpoint(a.source, b.source) && sameEndpoint(a.target, b.target);
}

export function endpointLabel(graph: CompositeGraph, endpoint: GraphEndpoint, role: 'source' | 'target'): string {
  if (endpoint.submodule === null) return `${role === 'source' ? 'Inputs' : 'Outputs'}.${endpoint.slot}`;
  const sub = graph.submodules.find((s) => s.id === endpoint.submodule);
  return `${sub ? sub.name : `#${endpoint.submodule}`}.${endpoint.slot}`;
}

/** Submodule ids reachable from `start` by following connections forward. */
function reachableFrom(graph: CompositeGraph, start: number): Set<number> {
  const next = new Map<number, number[]>();
  for (const c of graph.connections) {
    if (c.source.submodule === null || c.target.submodule === null) continue;
    const list = next.get(c.source.submodule) ?? [];
    list.push(c.target.submodule);
    next.set(c.source.submodule, list);
  }
  const seen = new Set<number>();
  const stack = [start];
  while (stack.length) {
    const id = stack.pop() as number;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const n of next.get(id) ?? []) stack.push(n);
  }
  return seen;
}

/** Would a connection from submodule `from` to submodule `to` close a cycle (self-loops included)? */
export function wouldCreateCycle(graph: CompositeGraph, from: number | null, to: number | null): boolean {
  if (from === null || to === null) return false; // the composite's Inputs only feed, its Outputs only receive
  if (from === to) return true;
  return reachableFrom(graph, to).has(from);
}

/** The submodule ids of one cycle of the graph (in order), or null when it is acyclic. */
export function findCycle(graph: CompositeGraph): number[] | null {
  const next = new Map<number, number[]>();
  for (const s of graph.submodules) next.set(s.id, []);
  for (const c of graph.connections) {
    if (c.source.submodule === null || c.target.submodule === null) continue;
    if (!next.has(c.source.submodule)) next.set(c.source.submodule, []);
    next.get(c.source.submodule)?.push(c.target.submodule);
  }
  const state = new Map<number, 1 | 2>(); // 1 = on the stack, 2 = done
  const path: number[] = [];
  const visit = (id: number): number[] | null => {
    state.set(id, 1);
    path.push(id);
    for (const n of next.get(id) ?? []) {
      if (state.get(n) === 1) return path.slice(path.indexOf(n));
      if (!state.has(n)) {
        const found = visit(n);
        if (found) return found;
      }
    }
    path.pop();
    state.set(id, 2);
    return null;
  };
  for (const id of next.keys()) {
    if (!state.has(id)) {
      const found = visit(id);
      if (found) return found;
    }
  }
  return null;
}

export type ConnectionCheck = { ok: true; connection: GraphConnection } | { ok: false; reason: string };

/**
 * Whether `source → target` may be added (the EMF rules): the source is an output and the target an
 * input; both are datasets or both parameters, of the same dataset type / SQL type; an optional source
 * cannot feed a required target; a module's IN-only dataset cannot feed a submodule's INOUT slot (a module
 * never writes its inputs; the server refuses it as `inout_writes_input`); an input has one source; no cycle.
 */
export function checkConnection(
  graph: CompositeGraph,
  ctx: GraphContext,
  source: GraphEndpoint,
  target: GraphEndpoint,
): ConnectionCheck {
  const from = endpointLabel(graph, source, 'source');
  const to = endpointLabel(graph, target, 'target');
  const sourcePort = findPort(endpointPorts(ctx, graph, source.submodule, 'source'), source.slot);
  if (!sourcePort) return { ok: false, reason: `${from} is not an output.` };
  const targetPort = findPort(endpointPorts(ctx, graph, target.submodule, 'target'), target.slot);
  if (!targetPort) return { ok: false, reason: `${to} is not an input.` };
  if (sourcePort.kind !== targetPort.kind) {
    return { ok: false, reason: `Cannot connect the ${sourcePort.kind} ${from} to the ${targetPort.kind} ${to}: a dataset connects only to a dataset, a parameter only to a parameter.` };
  }
  if (!typesCompatible(sourcePort, targetPort)) {
    const what = sourcePort.kind === 'dataset' ? 'dataset types' : 'SQL types';
    return { ok: false, reason: `Cannot connect ${from} to ${to}: their ${what} differ (${describeType(sourcePort, ctx)} vs ${describeType(targetPort, ctx)}).` };
  }
  if (sourcePort.optional && !targetPort.optional) {
    return { ok: false, reason: `Cannot connect the optional ${from} to the required ${to}.` };
  }
  if (source.submodule === null && sourcePort.kind === 'dataset' && sourcePort.mode === 'IN' && targetPort.mode === 'INOUT') {
    return { ok: false, reason: `Cannot connect the input ${from} to the INOUT ${to}, which would update it: a module never writes its inputs. Make ${from} INOUT, or use a submodule with an IN and an OUT slot.` };
  }
  const existing = graph.connections.find((c) => sameEndpoint(c.target, target) && c.kind === targetPort.kind);
  if (existing) {
    return { ok: false, reason: `${to} is already connected (from ${endpointLabel(graph, existing.source, 'source')}); an input has one source.` };
  }
  if (wouldCreateCycle(graph, source.submodule, target.submodule)) {
    return { ok: false, reason: `Cannot connect ${from} to ${to}: it would create a cycle.` };
  }
  return { ok: true, connection: { kind: sourcePort.kind, source: { ...source }, target: { ...target } } };
}

function describeType(port: Port, ctx: GraphContext): string {
  if (port.kind === 'parameter') return port.type;
  if (port.type === ANY_DATASET_TYPE) return 'any dataset type';
  return ctx.datasetTypeNames?.get(port.type) ?? `dataset type ${port.type}`;
}

export function addConnection(graph: CompositeGraph, connection: GraphConnection): CompositeGraph {
  if (graph.connections.some((c) => sameConnection(c, connection))) return graph;
  return { ...graph, connections: [...graph.connections, connection] };
}

export function removeConnections(graph: CompositeGraph, remove: GraphConnection[]): CompositeGraph {
  if (remove.length === 0) return graph;
  return { ...graph, connections: graph.connections.filter((c) => !remove.some((r) => sameConnection(r, c))) };
}

// ------------------------------------------------------------------------------------------ submodules

export function nextSubmoduleId(graph: CompositeGraph): number {
  return graph.submodules.reduce((max, s) => Math.max(max, s.id), 0) + 1;
}

/** `base`, else `base 2`, `base 3`… : the first name not taken (names compare case-insensitively). */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const used = new Set([...taken].map((n) => n.trim().toLowerCase()));
  const clean = base.trim() || 'Submodule';
  if (!used.has(clean.toLowerCase())) return clean;
  const stem = clean.replace(/ \d+$/, '');
  for (let i = 2; ; i++) {
    const candidate = `${stem} ${i}`;
    if (!used.has(candidate.toLowerCase())) return candidate;
  }
}

type Box = { x: number; y: number; width: number; height: number };

/**
 * Where a new node of `size` goes near `at` (its wished top-left) without covering another node:
 * `at` itself when free, else the nearest free place on a 20 px grid around it (pure).
 */
export function freeSpot(
  at: { x: number; y: number },
  size: { width: number; height: number },
  taken: readonly Box[],
  gap = 20,
): { x: number; y: number } {
  const overlaps = (x: number, y: number) =>
    taken.some(
      (b) => x < b.x + b.width + gap && x + size.width + gap > b.x && y < b.y + b.height + gap && y + size.height + gap > b.y,
    );
  if (!overlaps(at.x, at.y)) return { x: Math.round(at.x), y: Math.round(at.y) };
  const step = 20;
  for (let ring = 1; ring <= 60; ring++) {
    const spots: { x: number; y: number; d: number }[] = [];
    for (let i = -ring; i <= ring; i++) {
      for (const [dx, dy] of [
        [i, -ring],
        [i, ring],
        [-ring, i],
        [ring, i],
      ]) {
        spots.push({ x: at.x + dx * step, y: at.y + dy * step, d: dx * dx + dy * dy });
      }
    }
    spots.sort((a, b) => a.d - b.d || a.y - b.y || a.x - b.x);
    const free = spots.find((p) => !overlaps(p.x, p.y));
    if (free) return { x: Math.round(free.x), y: Math.round(free.y) };
  }
  return { x: Math.round(at.x), y: Math.round(at.y) };
}

export function addSubmodule(
  graph: CompositeGraph,
  version: { id: number; module_type_name: string },
  position: { x: number; y: number },
): { graph: CompositeGraph; id: number } {
  const id = nextSubmoduleId(graph);
  const name = uniqueName(version.module_type_name, graph.submodules.map((s) => s.name));
  const submodule: GraphSubmodule = { id, name, version: version.id, position: { ...position } };
  return { graph: { ...graph, submodules: [...graph.submodules, submodule] }, id };
}

/** Removes the submodules and every connection that touches them. */
export function removeSubmodules(graph: CompositeGraph, ids: Iterable<number>): CompositeGraph {
  const gone = new Set(ids);
  if (gone.size === 0) return graph;
  return {
    ...graph,
    submodules: graph.submodules.filter((s) => !gone.has(s.id)),
    connections: graph.connections.filter(
      (c) =>
        !(c.source.submodule !== null && gone.has(c.source.submodule)) &&
        !(c.target.submodule !== null && gone.has(c.target.submodule)),
    ),
  };
}

export type RenameCheck = { ok: true; graph: CompositeGraph } | { ok: false; reason: string };

export function renameSubmodule(graph: CompositeGraph, id: number, name: string): RenameCheck {
  const clean = name.trim();
  if (!clean) return { ok: false, reason: 'A submodule needs a name.' };
  if (clean.length > 200) return { ok: false, reason: 'A submodule name has at most 200 characters.' };
  if (graph.submodules.some((s) => s.id !== id && s.name.trim().toLowerCase() === clean.toLowerCase())) {
    return { ok: false, reason: `Another submodule is already named ${clean}.` };
  }
  return { ok: true, graph: { ...graph, submodules: graph.submodules.map((s) => (s.id === id ? { ...s, name: clean } : s)) } };
}

export function moveSubmodules(graph: CompositeGraph, positions: ReadonlyMap<number, { x: number; y: number }>): CompositeGraph {
  if (positions.size === 0) return graph;
  let changed = false;
  const submodules = graph.submodules.map((s) => {
    const p = positions.get(s.id);
    if (!p || (p.x === s.position.x && p.y === s.position.y)) return s;
    changed = true;
    return { ...s, position: { x: p.x, y: p.y } };
  });
  return changed ? { ...graph, submodules } : graph;
}

/** What Ctrl+C keeps: the submodules and the connections among them. */
export interface GraphClipboard {
  submodules: GraphSubmodule[];
  connections: GraphConnection[];
}

export function copySubmodules(graph: CompositeGraph, ids: Iterable<number>): GraphClipboard | null {
  const keep = new Set(ids);
  const submodules = graph.submodules.filter((s) => keep.has(s.id));
  if (submodules.length === 0) return null;
  const connections = graph.connections.filter(
    (c) => c.source.submodule !== null && c.target.submodule !== null && keep.has(c.source.submodule) && keep.has(c.target.submodule),
  );
  return { submodules: structuredClone(submodules), connections: structuredClone(connections) };
}

/** Pastes with new ids and unique names, shifted by `offset`; connections among the copies come along. */
export function pasteSubmodules(
  graph: CompositeGraph,
  clipboard: GraphClipboard,
  offset: { x: number; y: number } = { x: 40, y: 40 },
): { graph: CompositeGraph; ids: number[] } {
  let nextId = nextSubmoduleId(graph);
  const names = graph.submodules.map((s) => s.name);
  const idMap = new Map<number, number>();
  const pasted: GraphSubmodule[] = clipboard.submodules.map((s) => {
    const id = nextId++;
    idMap.set(s.id, id);
    const name = uniqueName(s.name, names);
    names.push(name);
    return { id, name, version: s.version, position: { x: s.position.x + offset.x, y: s.position.y + offset.y } };
  });
  const connections: GraphConnection[] = clipboard.connections
    .filter((c) => idMap.has(c.source.submodule as number) && idMap.has(c.target.submodule as number))
    .map((c) => ({
      kind: c.kind,
      source: { submodule: idMap.get(c.source.submodule as number) as number, slot: c.source.slot },
      target: { submodule: idMap.get(c.target.submodule as number) as number, slot: c.target.slot },
    }));
  return {
    graph: { ...graph, submodules: [...graph.submodules, ...pasted], connections: [...graph.connections, ...connections] },
    ids: pasted.map((s) => s.id),
  };
}

/** When one of the composite's own slots is renamed, its connections follow. */
export function renameOwnSlot(graph: CompositeGraph, from: string, to: string): CompositeGraph {
  if (from === to || !graph.connections.some((c) => (c.source.submodule === null && c.source.slot === from) || (c.target.submodule === null && c.target.slot === from))) {
    return graph;
  }
  return {
    ...graph,
    connections: graph.connections.map((c) => ({
      ...c,
      source: c.source.submodule === null && c.source.slot === from ? { submodule: null, slot: to } : c.source,
      target: c.target.submodule === null && c.target.slot === from ? { submodule: null, slot: to } : c.target,
    })),
  };
}

/** Structural equality (for "unsaved changes"). */
export function graphsEqual(a: CompositeGraph, b: CompositeGraph): boolean {
  return JSON.stringify(normalizeGraph(a)) === JSON.stringify(normalizeGraph(b));
}
