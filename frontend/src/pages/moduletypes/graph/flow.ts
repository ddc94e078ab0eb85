/**
 * Graph ↔ React Flow conversion (pure). Node ids: `inputs` and `outputs` (the composite's own slots,
 * white), `s<id>` for submodules. Handle ids: `d:<slot>` for datasets, `p:<slot>` for parameters; the
 * handle's type says the side (targets = inputs on the left, sources = outputs on the right).
 */
import type { Edge, Node } from '@xyflow/react';
import type { CompositeGraph, GraphConnection, GraphEndpoint, Phase, Phases, ValidationError } from '../../../api/types';
import { ANY_DATASET_TYPE, inputPorts, outputPorts, type GraphContext, type Port, type SlotKind, type VersionInfo } from './graph';

export const INPUTS_NODE = 'inputs';
export const OUTPUTS_NODE = 'outputs';
export const NODE_TYPE = 'module';

/** Header colours of submodules, by id (distinct for the first ten). */
export const SUBMODULE_COLORS = [
  '#3b6fb6',
  '#2e8b57',
  '#b5651d',
  '#7b4fa6',
  '#0f8b8d',
  '#a83f6b',
  '#6b8e23',
  '#c0392b',
  '#4b5d8a',
  '#8d6e1f',
];
export const OWN_COLOR = '#ffffff';
export const DATASET_COLOR = '#2563c9';
export const PARAMETER_COLOR = '#d32f2f';

/**
 * Header colours by phase (docs/aggregation.md, MAGDA): regular submodules before an aggregation
 * yellow, aggregation submodules purple (marked "(Agg)"), submodules after them purple too (lighter).
 */
export const PHASE_COLORS: Readonly<Record<Phase, string>> = {
  before: '#f2c230',
  aggregation: '#6b3fa0',
  after: '#9b72c8',
};
/** Header text on a phase colour (dark on yellow, white on purple). */
export const PHASE_TEXT_COLORS: Readonly<Record<Phase, string>> = {
  before: '#3d2e00',
  aggregation: '#ffffff',
  after: '#ffffff',
};
export const PHASE_LABELS: Readonly<Record<Phase, string>> = {
  before: 'before aggregation',
  aggregation: 'aggregation',
  after: 'after aggregation',
};

/**
 * A submodule's phase: the server's (validate answer or version detail) when it names the submodule;
 * else an aggregation version is `aggregation` (a node just dropped, before validation answers); else
 * none (no aggregation in the graph: the usual colours).
 */
export function submodulePhase(
  submodule: { id: number; version: number },
  phases: Phases | undefined,
  versions: ReadonlyMap<number, { is_aggregation?: boolean }>,
): Phase | null {
  const known = phases?.[String(submodule.id)];
  if (known === 'before' || known === 'aggregation' || known === 'after') return known;
  return versions.get(submodule.version)?.is_aggregation ? 'aggregation' : null;
}

/** The phases of a graph's submodules that have one (what the legend and the nodes show). */
export function graphPhases(
  graph: CompositeGraph,
  phases: Phases | undefined,
  versions: ReadonlyMap<number, { is_aggregation?: boolean }>,
): Map<number, Phase> {
  const out = new Map<number, Phase>();
  for (const sub of graph.submodules) {
    const phase = submodulePhase(sub, phases, versions);
    if (phase) out.set(sub.id, phase);
  }
  return out;
}

export function submoduleColor(id: number): string {
  return SUBMODULE_COLORS[(((id - 1) % SUBMODULE_COLORS.length) + SUBMODULE_COLORS.length) % SUBMODULE_COLORS.length] as string;
}

export interface PortView {
  name: string;
  kind: SlotKind;
  optional: boolean;
  /** Dataset type name or SQL type, for the tooltip. */
  typeLabel: string;
  description: string;
  /** Validation messages about this port. */
  errors: string[];
}

export interface ModuleNodeData extends Record<string, unknown> {
  role: 'inputs' | 'outputs' | 'submodule';
  submoduleId: number | null;
  title: string;
  subtitle: string;
  color: string;
  /** Where it runs relative to the aggregations (null: the graph has none; `color` is then by id). */
  phase: Phase | null;
  /** Target handles, on the left. */
  inputs: PortView[];
  /** Source handles, on the right. */
  outputs: PortView[];
  /** Validation messages about the node itself. */
  errors: string[];
  readOnly: boolean;
  /** The submodule's version is unknown (deleted, or not visible). */
  missing: boolean;
}

export type ModuleFlowNode = Node<ModuleNodeData, typeof NODE_TYPE>;

export interface EdgeData extends Record<string, unknown> {
  connection: GraphConnection;
}
export type ConnectionEdge = Edge<EdgeData>;

export function nodeIdOf(submodule: number | null, role: 'source' | 'target'): string {
  if (submodule === null) return role === 'source' ? INPUTS_NODE : OUTPUTS_NODE;
  return `s${submodule}`;
}

/** The submodule id of a node id; null for the composite's own nodes; undefined if not a node of ours. */
export function submoduleOfNode(nodeId: string): number | null | undefined {
  if (nodeId === INPUTS_NODE || nodeId === OUTPUTS_NODE) return null;
  const m = /^s(\d+)$/.exec(nodeId);
  return m ? Number(m[1]) : undefined;
}

export function handleId(kind: SlotKind, slot: string): string {
  return `${kind === 'dataset' ? 'd' : 'p'}:${slot}`;
}

export function parseHandleId(handle: string | null | undefined): { kind: SlotKind; slot: string } | null {
  if (!handle) return null;
  const m = /^([dp]):(.+)$/.exec(handle);
  if (!m) return null;
  return { kind: m[1] === 'd' ? 'dataset' : 'parameter', slot: m[2] as string };
}

export function edgeId(c: GraphConnection): string {
  return `e:${c.kind}:${nodeIdOf(c.source.submodule, 'source')}:${c.source.slot}->${nodeIdOf(c.target.submodule, 'target')}:${c.target.slot}`;
}

/** A React Flow connection (drag from a handle to another) as graph endpoints, or null when it is not one. */
export function endpointsFromFlow(connection: {
  source: string | null;
  sourceHandle?: string | null;
  target: string | null;
  targetHandle?: string | null;
}): { source: GraphEndpoint; target: GraphEndpoint } | null {
  if (!connection.source || !connection.target) return null;
  const sourceSub = submoduleOfNode(connection.source);
  const targetSub = submoduleOfNode(connection.target);
  if (sourceSub === undefined || targetSub === undefined) return null;
  if (sourceSub === null && connection.source !== INPUTS_NODE) return null;
  if (targetSub === null && connection.target !== OUTPUTS_NODE) return null;
  const sh = parseHandleId(connection.sourceHandle);
  const th = parseHandleId(connection.targetHandle);
  if (!sh || !th) return null;
  return { source: { submodule: sourceSub, slot: sh.slot }, target: { submodule: targetSub, slot: th.slot } };
}

export interface FlowOptions {
  ctx: GraphContext;
  versions: ReadonlyMap<number, VersionInfo>;
  /** Where the composite's own nodes are (they are not part of the saved graph). */
  ownPositions: { inputs: { x: number; y: number }; outputs: { x: number; y: number } };
  measured?: ReadonlyMap<string, { width: number; height: number }>;
  selectedNodes?: ReadonlySet<string>;
  selectedEdges?: ReadonlySet<string>;
  errors?: ValidationError[];
  readOnly?: boolean;
  datasetTypeNames?: ReadonlyMap<string, string>;
  /** Submodules by phase (docs/aggregation.md); {} or absent: no aggregation. */
  phases?: Phases;
}

function portView(port: Port, names: ReadonlyMap<string, string> | undefined, errors: string[]): PortView {
  return {
    name: port.name,
    kind: port.kind,
    optional: port.optional,
    typeLabel:
      port.kind !== 'dataset'
        ? port.type
        : port.type === ANY_DATASET_TYPE
          ? 'any dataset type'
          : (names?.get(port.type) ?? `dataset type ${port.type}`),
    description: port.description,
    errors,
  };
}

/** The server names submodules by node id (`s3.slot`); say their names instead. */
export function humanizeMessage(message: string, graph: CompositeGraph): string {
  return message.replace(/\bs(\d+)(?=\.|\b)/g, (whole, id: string) => graph.submodules.find((s) => s.id === Number(id))?.name ?? whole);
}

/** Validation errors grouped by node id and by `nodeId|slot`. */
export function errorsByTarget(errors: ValidationError[] | undefined, graph?: CompositeGraph): {
  nodes: Map<string, string[]>;
  ports: Map<string, string[]>;
} {
  const nodes = new Map<string, string[]>();
  const ports = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, message: string) => {
    const list = map.get(key) ?? [];
    if (!list.includes(message)) list.push(message);
    map.set(key, list);
  };
  for (const raw of errors ?? []) {
    const e = graph ? { ...raw, message: humanizeMessage(raw.message, graph) } : raw;
    if (e.submodule != null) {
      const node = `s${e.submodule}`;
      add(nodes, node, e.message);
      if (e.slot) add(ports, `${node}|${e.slot}`, e.message);
    } else if (e.slot) {
      add(ports, `${INPUTS_NODE}|${e.slot}`, e.message);
      add(ports, `${OUTPUTS_NODE}|${e.slot}`, e.message);
    }
  }
  return { nodes, ports };
}

export function graphToFlow(graph: CompositeGraph, options: FlowOptions): { nodes: ModuleFlowNode[]; edges: ConnectionEdge[] } {
  const { ctx, versions, ownPositions, measured, selectedNodes, selectedEdges, readOnly = false } = options;
  const datasetTypeNames = options.datasetTypeNames ?? ctx.datasetTypeNames;
  const { nodes: nodeErrors, ports: portErrors } = errorsByTarget(options.errors, graph);
  const phaseOf = graphPhases(graph, options.phases, versions);
  const view = (nodeId: string, ports: Port[]) =>
    ports.map((p) => portView(p, datasetTypeNames, portErrors.get(`${nodeId}|${p.name}`) ?? []));

  const node = (id: string, position: { x: number; y: number }, data: ModuleNodeData): ModuleFlowNode => {
    const size = measured?.get(id);
    return {
      id,
      type: NODE_TYPE,
      position,
      data,
      selected: selectedNodes?.has(id) ?? false,
      deletable: !readOnly && data.role === 'submodule',
      ...(size ? { measured: { width: size.width, height: size.height } } : {}),
    };
  };

  const nodes: ModuleFlowNode[] = [
    node(INPUTS_NODE, ownPositions.inputs, {
      role: 'inputs',
      submoduleId: null,
      title: 'Inputs',
      subtitle: "The composite's IN and INOUT slots",
      color: OWN_COLOR,
      phase: null,
      inputs: [],
      outputs: view(INPUTS_NODE, inputPorts(ctx.own)),
      errors: [],
      readOnly,
      missing: false,
    }),
    node(OUTPUTS_NODE, ownPositions.outputs, {
      role: 'outputs',
      submoduleId: null,
      title: 'Outputs',
      subtitle: "The composite's OUT and INOUT slots",
      color: OWN_COLOR,
      phase: null,
      inputs: view(OUTPUTS_NODE, outputPorts(ctx.own)),
      outputs: [],
      errors: [],
      readOnly,
      missing: false,
    }),
  ];
  for (const sub of graph.submodules) {
    const id = nodeIdOf(sub.id, 'source');
    const version = versions.get(sub.version);
    const slots = ctx.versions.get(sub.version);
    const phase = phaseOf.get(sub.id) ?? null;
    nodes.push(
      node(id, sub.position, {
        role: 'submodule',
        submoduleId: sub.id,
        title: sub.name,
        subtitle: version ? `${version.module_type_name} v${version.number}` : `unknown version ${sub.version}`,
        color: phase ? PHASE_COLORS[phase] : submoduleColor(sub.id),
        phase,
        inputs: view(id, inputPorts(slots)),
        outputs: view(id, outputPorts(slots)),
        errors: nodeErrors.get(id) ?? [],
        readOnly,
        missing: !slots,
      }),
    );
  }

  const edges: ConnectionEdge[] = graph.connections.map((c) => {
    const id = edgeId(c);
    const color = c.kind === 'dataset' ? DATASET_COLOR : PARAMETER_COLOR;
    return {
      id,
      source: nodeIdOf(c.source.submodule, 'source'),
      sourceHandle: handleId(c.kind, c.source.slot),
      target: nodeIdOf(c.target.submodule, 'target'),
      targetHandle: handleId(c.kind, c.target.slot),
      className: `mt-edge mt-edge-${c.kind}`,
      style: { stroke: color, strokeWidth: 2 },
      selected: selectedEdges?.has(id) ?? false,
      deletable: !readOnly,
      data: { connection: c },
    };
  });
  return { nodes, edges };
}

/** Where to put the Inputs/Outputs nodes for a graph: left and right of the submodules. */
export function defaultOwnPositions(graph: CompositeGraph): FlowOptions['ownPositions'] {
  if (graph.submodules.length === 0) return { inputs: { x: 0, y: 0 }, outputs: { x: 520, y: 0 } };
  const xs = graph.submodules.map((s) => s.position.x);
  const ys = graph.submodules.map((s) => s.position.y);
  const y = Math.round((Math.min(...ys) + Math.max(...ys)) / 2);
  return { inputs: { x: Math.min(...xs) - 300, y }, outputs: { x: Math.max(...xs) + 340, y } };
}
