/** Auto-layout with elkjs: layered, left to right, ports on the sides they are drawn on. */
import type { ELK as ElkInstance, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { CompositeGraph } from '../../../api/types';
import { edgeId, INPUTS_NODE, nodeIdOf, OUTPUTS_NODE } from './flow';

export const DEFAULT_NODE_SIZE = { width: 220, height: 120 };

export interface LayoutResult {
  /** Submodule id → top-left position. */
  submodules: Map<number, { x: number; y: number }>;
  inputs: { x: number; y: number };
  outputs: { x: number; y: number };
}

/** The elk graph of a composite (pure; exported for tests). */
export function toElkGraph(
  graph: CompositeGraph,
  sizes: ReadonlyMap<string, { width: number; height: number }> = new Map(),
): ElkNode {
  const size = (id: string) => sizes.get(id) ?? DEFAULT_NODE_SIZE;
  const ids = [INPUTS_NODE, ...graph.submodules.map((s) => nodeIdOf(s.id, 'source')), OUTPUTS_NODE];
  const edges: ElkExtendedEdge[] = graph.connections.map((c) => ({
    id: edgeId(c),
    sources: [nodeIdOf(c.source.submodule, 'source')],
    targets: [nodeIdOf(c.target.submodule, 'target')],
  }));
  // Layout-only edges: a submodule nothing feeds hangs off Inputs, one that feeds nothing leads to
  // Outputs, so Inputs stay left and Outputs right even in a diagram without connections.
  const fed = new Set(graph.connections.map((c) => c.target.submodule).filter((x) => x !== null));
  const feeding = new Set(graph.connections.map((c) => c.source.submodule).filter((x) => x !== null));
  for (const sub of graph.submodules) {
    const id = nodeIdOf(sub.id, 'source');
    if (!fed.has(sub.id)) edges.push({ id: `layout:${INPUTS_NODE}->${id}`, sources: [INPUTS_NODE], targets: [id] });
    if (!feeding.has(sub.id)) edges.push({ id: `layout:${id}->${OUTPUTS_NODE}`, sources: [id], targets: [OUTPUTS_NODE] });
  }
  if (graph.submodules.length === 0) {
    edges.push({ id: `layout:${INPUTS_NODE}->${OUTPUTS_NODE}`, sources: [INPUTS_NODE], targets: [OUTPUTS_NODE] });
  }
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      // One layering for everything, so Inputs stay first and Outputs last even when nothing connects them.
      'elk.separateConnectedComponents': 'false',
      'elk.layered.spacing.nodeNodeBetweenLayers': '90',
      'elk.spacing.nodeNode': '40',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
    },
    children: ids.map((id) => ({
      id,
      ...size(id),
      ...(id === INPUTS_NODE ? { layoutOptions: { 'elk.layered.layering.layerConstraint': 'FIRST' } } : {}),
      ...(id === OUTPUTS_NODE ? { layoutOptions: { 'elk.layered.layering.layerConstraint': 'LAST' } } : {}),
    })),
    edges,
  };
}

let elk: ElkInstance | null = null;

export async function layoutGraph(
  graph: CompositeGraph,
  sizes: ReadonlyMap<string, { width: number; height: number }> = new Map(),
): Promise<LayoutResult> {
  // elkjs is big: it loads on the first auto-layout only.
  elk ??= new (await import('elkjs/lib/elk.bundled.js')).default();
  const laid = await elk.layout(toElkGraph(graph, sizes));
  const at = new Map((laid.children ?? []).map((c) => [c.id, { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) }]));
  const submodules = new Map<number, { x: number; y: number }>();
  for (const s of graph.submodules) {
    const p = at.get(nodeIdOf(s.id, 'source'));
    if (p) submodules.set(s.id, p);
  }
  return {
    submodules,
    inputs: at.get(INPUTS_NODE) ?? { x: 0, y: 0 },
    outputs: at.get(OUTPUTS_NODE) ?? { x: 600, y: 0 },
  };
}
