import { describe, expect, it } from 'vitest';
import type { CompositeGraph } from '../../../api/types';
import {
  defaultOwnPositions,
  edgeId,
  endpointsFromFlow,
  errorsByTarget,
  graphToFlow,
  handleId,
  humanizeMessage,
  INPUTS_NODE,
  OUTPUTS_NODE,
  parseHandleId,
  submoduleColor,
  submoduleOfNode,
} from './flow';
import type { VersionInfo } from './graph';
import { ctxOf, SCALE, twoScales } from './testGraph';

const versions = new Map<number, VersionInfo>([[10, { id: 10, module_type_name: 'Scale', number: 0, name: 'Initial', ...SCALE }]]);
const own = { inputs: { x: -300, y: 0 }, outputs: { x: 600, y: 0 } };

function sample(): CompositeGraph {
  return {
    ...twoScales(),
    connections: [
      { kind: 'dataset', source: { submodule: null, slot: 'source' }, target: { submodule: 1, slot: 'input' } },
      { kind: 'dataset', source: { submodule: 1, slot: 'output' }, target: { submodule: 2, slot: 'input' } },
      { kind: 'parameter', source: { submodule: 1, slot: 'total' }, target: { submodule: 2, slot: 'factor' } },
      { kind: 'dataset', source: { submodule: 2, slot: 'output' }, target: { submodule: null, slot: 'result' } },
    ],
  };
}

describe('graphToFlow', () => {
  it('makes an Inputs node, an Outputs node and one node per submodule with ports from the slots', () => {
    const { nodes } = graphToFlow(sample(), { ctx: ctxOf(), versions, ownPositions: own });
    expect(nodes.map((n) => n.id)).toEqual([INPUTS_NODE, OUTPUTS_NODE, 's1', 's2']);
    const [inputs, outputs, a] = nodes;
    expect(inputs?.data.outputs.map((p) => p.name)).toEqual(['source', 'k']);
    expect(inputs?.data.inputs).toEqual([]);
    expect(outputs?.data.inputs.map((p) => p.name)).toEqual(['result']);
    expect(inputs?.data.color).toBe('#ffffff');
    expect(a?.data).toMatchObject({ title: 'A', subtitle: 'Scale v0', role: 'submodule', submoduleId: 1, missing: false });
    expect(a?.data.inputs.map((p) => `${p.kind}:${p.name}`)).toEqual(['dataset:input', 'parameter:factor']);
    expect(a?.data.outputs.map((p) => p.typeLabel)).toEqual(['Emission Factors', 'integer']);
    expect(a?.position).toEqual({ x: 0, y: 0 });
    expect(a?.deletable).toBe(true);
    expect(inputs?.deletable).toBe(false);
  });
  it('gives submodules distinct header colours', () => {
    const { nodes } = graphToFlow(sample(), { ctx: ctxOf(), versions, ownPositions: own });
    expect(nodes[2]?.data.color).not.toBe(nodes[3]?.data.color);
    expect(submoduleColor(1)).not.toBe(submoduleColor(2));
    expect(submoduleColor(11)).toBe(submoduleColor(1));
  });
  it('draws dataset edges blue and parameter edges red, between the right handles', () => {
    const { edges } = graphToFlow(sample(), { ctx: ctxOf(), versions, ownPositions: own });
    expect(edges).toHaveLength(4);
    expect(edges[0]).toMatchObject({ source: INPUTS_NODE, sourceHandle: 'd:source', target: 's1', targetHandle: 'd:input' });
    expect(edges[2]).toMatchObject({ source: 's1', sourceHandle: 'p:total', target: 's2', targetHandle: 'p:factor' });
    expect(edges[1]?.style?.stroke).toBe('#2563c9');
    expect(edges[2]?.style?.stroke).toBe('#d32f2f');
    expect(edges[3]?.target).toBe(OUTPUTS_NODE);
    expect(new Set(edges.map((e) => e.id)).size).toBe(4);
  });
  it('marks unknown versions, selection, sizes and read-only', () => {
    const g: CompositeGraph = { submodules: [{ id: 5, name: 'Lost', version: 999, position: { x: 0, y: 0 } }], connections: [] };
    const { nodes } = graphToFlow(g, {
      ctx: ctxOf(),
      versions,
      ownPositions: own,
      selectedNodes: new Set(['s5']),
      measured: new Map([['s5', { width: 200, height: 90 }]]),
      readOnly: true,
    });
    expect(nodes[2]?.data).toMatchObject({ missing: true, readOnly: true, subtitle: 'unknown version 999' });
    expect(nodes[2]?.selected).toBe(true);
    expect(nodes[2]?.measured).toEqual({ width: 200, height: 90 });
    expect(nodes[2]?.deletable).toBe(false);
  });
  it('puts validation errors on the node and the port they concern', () => {
    const { nodes } = graphToFlow(sample(), {
      ctx: ctxOf(),
      versions,
      ownPositions: own,
      errors: [
        { code: 'missing_required_input', message: 'B.factor needs a source', submodule: 2, slot: 'factor' },
        { code: 'x', message: 'Composite result missing', submodule: null, slot: 'result' },
        { code: 'y', message: 'general' },
      ],
    });
    const b = nodes.find((n) => n.id === 's2');
    expect(b?.data.errors).toEqual(['B.factor needs a source']);
    expect(b?.data.inputs.find((p) => p.name === 'factor')?.errors).toEqual(['B.factor needs a source']);
    expect(nodes.find((n) => n.id === OUTPUTS_NODE)?.data.inputs[0]?.errors).toEqual(['Composite result missing']);
    expect(nodes.find((n) => n.id === 's1')?.data.errors).toEqual([]);
    expect(errorsByTarget(undefined).nodes.size).toBe(0);
  });
});

describe('messages', () => {
  it('names submodules instead of their node ids', () => {
    expect(humanizeMessage('required input s1.input is not connected (s2)', twoScales())).toBe('required input A.input is not connected (B)');
    expect(humanizeMessage('s9.x stays', twoScales())).toBe('s9.x stays');
  });
});

describe('flow → graph', () => {
  it('reads node and handle ids back', () => {
    expect(submoduleOfNode('s12')).toBe(12);
    expect(submoduleOfNode(INPUTS_NODE)).toBeNull();
    expect(submoduleOfNode('x')).toBeUndefined();
    expect(parseHandleId(handleId('dataset', 'a:b'))).toEqual({ kind: 'dataset', slot: 'a:b' });
    expect(parseHandleId('p:x')).toEqual({ kind: 'parameter', slot: 'x' });
    expect(parseHandleId(null)).toBeNull();
  });
  it('turns a dragged connection into endpoints', () => {
    expect(endpointsFromFlow({ source: 's1', sourceHandle: 'd:output', target: 's2', targetHandle: 'd:input' })).toEqual({
      source: { submodule: 1, slot: 'output' },
      target: { submodule: 2, slot: 'input' },
    });
    expect(endpointsFromFlow({ source: INPUTS_NODE, sourceHandle: 'p:k', target: OUTPUTS_NODE, targetHandle: 'p:r' })).toEqual({
      source: { submodule: null, slot: 'k' },
      target: { submodule: null, slot: 'r' },
    });
    expect(endpointsFromFlow({ source: OUTPUTS_NODE, sourceHandle: 'd:x', target: 's1', targetHandle: 'd:input' })).toBeNull();
    expect(endpointsFromFlow({ source: 's1', sourceHandle: null, target: 's2', targetHandle: 'd:input' })).toBeNull();
  });
  it('round-trips: the edges of a graph give back its connections', () => {
    const g = sample();
    const { edges } = graphToFlow(g, { ctx: ctxOf(), versions, ownPositions: own });
    const back = edges.map((e) => {
      const ends = endpointsFromFlow(e);
      return { kind: parseHandleId(e.sourceHandle)?.kind, ...ends };
    });
    expect(back).toEqual(g.connections);
    expect(edges.map((e) => e.data?.connection)).toEqual(g.connections);
    expect(edgeId(g.connections[0]!)).toBe(edges[0]?.id);
  });
  it('places the own nodes left and right of the submodules', () => {
    const p = defaultOwnPositions(twoScales());
    expect(p.inputs.x).toBeLessThan(0);
    expect(p.outputs.x).toBeGreaterThan(300);
    expect(defaultOwnPositions({ submodules: [], connections: [] }).inputs).toEqual({ x: 0, y: 0 });
  });
});
