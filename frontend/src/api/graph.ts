/**
 * The composite graph at the API boundary: the API's `Graph` leaves out empty lists, unplaced positions
 * and the layout, and is `{}` for simple types and a composite never saved with a graph; the app holds
 * the normalized `CompositeGraph` (every list present, every submodule placed, a layout with both nodes
 * or none), made once here as version details arrive.
 */
import type { ApiModuleTypeVersion, CompositeGraph, GraphLayout, ModuleTypeVersion } from './types';

function pointOf(raw: unknown): { x: number; y: number } | null {
  const p = raw as { x?: unknown; y?: unknown } | null | undefined;
  if (!p || typeof p.x !== 'number' || typeof p.y !== 'number') return null;
  return { x: p.x, y: p.y };
}

function layoutOf(raw: unknown): GraphLayout | null {
  const l = raw as { inputs?: unknown; outputs?: unknown } | null | undefined;
  const inputs = pointOf(l?.inputs);
  const outputs = pointOf(l?.outputs);
  return inputs && outputs ? { inputs, outputs } : null;
}

/** A graph from whatever the server stored (`{}` for a simple type or a new composite). */
export function normalizeGraph(raw: unknown): CompositeGraph {
  const g = (raw && typeof raw === 'object' ? raw : {}) as Partial<CompositeGraph>;
  const submodules = Array.isArray(g.submodules) ? g.submodules : [];
  const connections = Array.isArray(g.connections) ? g.connections : [];
  const layout = layoutOf(g.layout);
  return {
    ...(layout ? { layout } : {}),
    submodules: submodules.map((s) => ({
      id: s.id,
      name: s.name,
      version: s.version,
      position: { x: Number(s.position?.x) || 0, y: Number(s.position?.y) || 0 },
    })),
    connections: connections.map((c) => ({
      kind: c.kind,
      source: { submodule: c.source?.submodule ?? null, slot: c.source?.slot ?? '' },
      target: { submodule: c.target?.submodule ?? null, slot: c.target?.slot ?? '' },
    })),
  };
}

/** A version detail as the app holds it: its graph normalized (GET, PATCH, copy and finalize answers). */
export function versionFromApi(version: ApiModuleTypeVersion): ModuleTypeVersion {
  return { ...version, graph: normalizeGraph(version.graph) };
}
