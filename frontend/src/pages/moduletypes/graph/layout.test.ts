import { describe, expect, it } from 'vitest';
import type { CompositeGraph } from '../../../api/types';
import { INPUTS_NODE, OUTPUTS_NODE } from './flow';
import { layoutGraph, toElkGraph } from './layout';

const chain: CompositeGraph = {
  submodules: [
    { id: 1, name: 'A', version: 10, position: { x: 500, y: 500 } },
    { id: 2, name: 'B', version: 10, position: { x: 0, y: 0 } },
  ],
  connections: [
    { kind: 'dataset', source: { submodule: null, slot: 'in' }, target: { submodule: 1, slot: 'input' } },
    { kind: 'dataset', source: { submodule: 1, slot: 'output' }, target: { submodule: 2, slot: 'input' } },
    { kind: 'dataset', source: { submodule: 2, slot: 'output' }, target: { submodule: null, slot: 'out' } },
  ],
};

describe('auto-layout', () => {
  it('builds a layered, left-to-right elk graph', () => {
    const g = toElkGraph(chain, new Map([['s1', { width: 250, height: 140 }]]));
    expect(g.layoutOptions?.['elk.algorithm']).toBe('layered');
    expect(g.layoutOptions?.['elk.direction']).toBe('RIGHT');
    expect(g.children?.map((c) => c.id)).toEqual([INPUTS_NODE, 's1', 's2', OUTPUTS_NODE]);
    expect(g.children?.[1]).toMatchObject({ width: 250, height: 140 });
    expect(g.edges).toHaveLength(3);
  });
  it('places each node to the right of what feeds it', async () => {
    const result = await layoutGraph(chain);
    const a = result.submodules.get(1)!;
    const b = result.submodules.get(2)!;
    expect(result.inputs.x).toBeLessThan(a.x);
    expect(a.x).toBeLessThan(b.x);
    expect(b.x).toBeLessThan(result.outputs.x);
  });
  it('puts Inputs left and Outputs right without any connection (issue 14 #5)', async () => {
    const loose: CompositeGraph = { submodules: chain.submodules, connections: [] };
    expect(toElkGraph(loose).edges?.map((e) => e.id)).toEqual([
      'layout:inputs->s1',
      'layout:s1->outputs',
      'layout:inputs->s2',
      'layout:s2->outputs',
    ]);
    const result = await layoutGraph(loose);
    for (const p of result.submodules.values()) {
      expect(result.inputs.x).toBeLessThan(p.x);
      expect(p.x).toBeLessThan(result.outputs.x);
    }
    const empty = await layoutGraph({ submodules: [], connections: [] });
    expect(empty.inputs.x).toBeLessThan(empty.outputs.x);
  });
});
