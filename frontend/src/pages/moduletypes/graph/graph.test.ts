import { describe, expect, it } from 'vitest';
import type { CompositeGraph } from '../../../api/types';
import {
  freeSpot,
  addConnection,
  addSubmodule,
  checkConnection,
  copySubmodules,
  endpointPorts,
  findCycle,
  graphsEqual,
  inputPorts,
  moveSubmodules,
  nextSubmoduleId,
  normalizeGraph,
  outputPorts,
  pasteSubmodules,
  removeConnections,
  removeSubmodules,
  renameOwnSlot,
  renameSubmodule,
  uniqueName,
  withLayout,
  wouldCreateCycle,
} from './graph';
import { ctxOf, ds, OTHER, SCALE, twoScales } from './testGraph';

const at = (submodule: number | null, slot: string) => ({ submodule, slot });

function connect(graph: CompositeGraph, from: [number | null, string], to: [number | null, string]): CompositeGraph {
  const check = checkConnection(graph, ctxOf(), at(...from), at(...to));
  if (!check.ok) throw new Error(check.reason);
  return addConnection(graph, check.connection);
}

describe('ports', () => {
  it('puts IN/INOUT on the input side and OUT/INOUT on the output side', () => {
    expect(inputPorts(OTHER).map((p) => p.name)).toEqual(['src', 'opt_in', 'both', 'label']);
    expect(outputPorts(OTHER).map((p) => p.name)).toEqual(['opt_out', 'both']);
    expect(inputPorts(SCALE).map((p) => `${p.kind}:${p.name}`)).toEqual(['dataset:input', 'parameter:factor']);
  });
  it("uses the composite's own IN slots as sources and OUT slots as targets", () => {
    const g = twoScales();
    expect(endpointPorts(ctxOf(), g, null, 'source')?.map((p) => p.name)).toEqual(['source', 'k']);
    expect(endpointPorts(ctxOf(), g, null, 'target')?.map((p) => p.name)).toEqual(['result']);
    expect(endpointPorts(ctxOf(), g, 99, 'source')).toBeNull();
  });
});

describe('checkConnection', () => {
  const g = twoScales();
  const ctx = ctxOf();

  it('accepts an output feeding a compatible input', () => {
    const check = checkConnection(g, ctx, at(1, 'output'), at(2, 'input'));
    expect(check).toEqual({ ok: true, connection: { kind: 'dataset', source: at(1, 'output'), target: at(2, 'input') } });
    expect(checkConnection(g, ctx, at(null, 'source'), at(1, 'input')).ok).toBe(true);
    expect(checkConnection(g, ctx, at(2, 'output'), at(null, 'result')).ok).toBe(true);
    expect(checkConnection(g, ctx, at(1, 'total'), at(2, 'factor'))).toMatchObject({ ok: true, connection: { kind: 'parameter' } });
  });
  it('accepts a dataset slot of any type (dataset_type null, the progressive types) on either side', () => {
    const FILTER = { dataset_slots: [ds('input', 'IN', null as unknown as number), ds('output', 'OUT', null as unknown as number)], parameter_slots: [] };
    const ctx2 = { ...ctxOf(), versions: new Map([...ctxOf().versions, [30, FILTER]]) };
    const g3: CompositeGraph = { ...g, submodules: [...g.submodules, { id: 3, name: 'F', version: 30, position: { x: 0, y: 0 } }] };
    expect(inputPorts(FILTER)[0].type).toBe('any');
    expect(checkConnection(g3, ctx2, at(1, 'output'), at(3, 'input')).ok).toBe(true);
    expect(checkConnection(g3, ctx2, at(3, 'output'), at(2, 'input')).ok).toBe(true);
    expect(checkConnection(g3, ctx2, at(null, 'source'), at(3, 'input')).ok).toBe(true);
    const bad = checkConnection(g3, ctx2, at(1, 'total'), at(3, 'input'));
    expect(bad.ok).toBe(false);
  });
  it('refuses a dataset to a parameter', () => {
    const check = checkConnection(g, ctx, at(1, 'output'), at(2, 'factor'));
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toMatch(/dataset connects only to a dataset/);
  });
  it('refuses different dataset types and different SQL types', () => {
    const mixed: CompositeGraph = { ...g, submodules: [...g.submodules, { id: 3, name: 'C', version: 20, position: { x: 0, y: 0 } }] };
    const types = checkConnection(mixed, ctx, at(1, 'output'), at(3, 'src'));
    expect(!types.ok && types.reason).toMatch(/dataset types differ \(Emission Factors vs Inventory\)/);
    const sql = checkConnection(mixed, ctx, at(1, 'total'), at(3, 'label'));
    expect(!sql.ok && sql.reason).toMatch(/SQL types differ \(integer vs text\)/);
  });
  it('refuses an optional source to a required target, not to an optional one', () => {
    const mixed: CompositeGraph = {
      ...g,
      submodules: [...g.submodules, { id: 3, name: 'C', version: 20, position: { x: 0, y: 0 } }, { id: 4, name: 'D', version: 20, position: { x: 0, y: 0 } }],
    };
    const check = checkConnection(mixed, ctx, at(3, 'opt_out'), at(1, 'input'));
    expect(!check.ok && check.reason).toMatch(/optional C\.opt_out to the required A\.input/);
    expect(checkConnection(mixed, ctx, at(3, 'opt_out'), at(4, 'opt_in')).ok).toBe(true);
  });
  it("refuses the module's IN dataset feeding a submodule's INOUT slot, not its INOUT dataset", () => {
    const withInout: CompositeGraph = { ...g, submodules: [...g.submodules, { id: 3, name: 'C', version: 20, position: { x: 0, y: 0 } }] };
    const check = checkConnection(withInout, ctx, at(null, 'source'), at(3, 'both'));
    expect(!check.ok && check.reason).toMatch(/never writes its inputs/);
    const own = ctxOf({ dataset_slots: [ds('data', 'INOUT')], parameter_slots: [] });
    expect(checkConnection(withInout, own, at(null, 'data'), at(3, 'both')).ok).toBe(true);
  });
  it('refuses an input that is already connected', () => {
    const once = connect(g, [1, 'output'], [2, 'input']);
    const check = checkConnection(once, ctx, at(null, 'source'), at(2, 'input'));
    expect(!check.ok && check.reason).toMatch(/B\.input is already connected \(from A\.output\)/);
  });
  it('refuses a connection that would create a cycle, including to itself', () => {
    const once = connect(g, [1, 'output'], [2, 'input']);
    const back = checkConnection(once, ctx, at(2, 'total'), at(1, 'factor'));
    expect(!back.ok && back.reason).toMatch(/cycle/);
    const self = checkConnection(g, ctx, at(1, 'total'), at(1, 'factor'));
    expect(!self.ok && self.reason).toMatch(/cycle/);
  });
  it('refuses wrong directions and unknown slots', () => {
    expect(checkConnection(g, ctx, at(1, 'input'), at(2, 'input')).ok).toBe(false);
    expect(checkConnection(g, ctx, at(1, 'output'), at(2, 'output')).ok).toBe(false);
    expect(checkConnection(g, ctx, at(null, 'result'), at(1, 'input')).ok).toBe(false);
    expect(checkConnection(g, ctx, at(1, 'nope'), at(2, 'input')).ok).toBe(false);
  });
});

describe('cycles', () => {
  it('sees paths through several submodules', () => {
    let g: CompositeGraph = {
      submodules: [1, 2, 3].map((id) => ({ id, name: `S${id}`, version: 10, position: { x: 0, y: 0 } })),
      connections: [],
    };
    g = connect(g, [1, 'output'], [2, 'input']);
    g = connect(g, [2, 'output'], [3, 'input']);
    expect(wouldCreateCycle(g, 3, 1)).toBe(true);
    expect(wouldCreateCycle(g, 1, 3)).toBe(false);
    expect(wouldCreateCycle(g, null, 1)).toBe(false);
    expect(findCycle(g)).toBeNull();
    const looped = addConnection(g, { kind: 'parameter', source: at(3, 'total'), target: at(1, 'factor') });
    expect(findCycle(looped)).toEqual([1, 2, 3]);
  });
});

describe('edits', () => {
  it('allocates ids and unique names', () => {
    expect(nextSubmoduleId({ submodules: [], connections: [] })).toBe(1);
    expect(nextSubmoduleId(twoScales())).toBe(3);
    expect(uniqueName('Scale', ['scale', 'Scale 2'])).toBe('Scale 3');
    expect(uniqueName('Scale 2', ['Scale 2'])).toBe('Scale 3');
    expect(uniqueName('  ', [])).toBe('Submodule');
    let g: CompositeGraph = { submodules: [], connections: [] };
    const v = { id: 10, module_type_name: 'Scale' };
    g = addSubmodule(g, v, { x: 1, y: 2 }).graph;
    const second = addSubmodule(g, v, { x: 5, y: 5 });
    expect(second.id).toBe(2);
    expect(second.graph.submodules.map((s) => s.name)).toEqual(['Scale', 'Scale 2']);
  });
  it('removes submodules with their connections', () => {
    let g = connect(twoScales(), [1, 'output'], [2, 'input']);
    g = connect(g, [null, 'source'], [1, 'input']);
    const after = removeSubmodules(g, [1]);
    expect(after.submodules.map((s) => s.id)).toEqual([2]);
    expect(after.connections).toEqual([]);
    expect(removeSubmodules(g, [])).toBe(g);
  });
  it('removes single connections', () => {
    const g = connect(twoScales(), [1, 'output'], [2, 'input']);
    expect(removeConnections(g, [{ kind: 'dataset', source: at(1, 'output'), target: at(2, 'input') }]).connections).toEqual([]);
  });
  it('renames, refusing empty and duplicate names', () => {
    const g = twoScales();
    const ok = renameSubmodule(g, 1, ' Scale inputs ');
    expect(ok.ok && ok.graph.submodules[0]?.name).toBe('Scale inputs');
    expect(renameSubmodule(g, 1, '')).toMatchObject({ ok: false });
    expect(renameSubmodule(g, 1, 'b')).toMatchObject({ ok: false, reason: 'Another submodule is already named b.' });
    expect(renameSubmodule(g, 1, 'a').ok).toBe(true);
  });
  it('moves submodules, keeping the same graph when nothing moved', () => {
    const g = twoScales();
    expect(moveSubmodules(g, new Map([[1, { x: 0, y: 0 }]]))).toBe(g);
    expect(moveSubmodules(g, new Map([[2, { x: 7, y: 8 }]])).submodules[1]?.position).toEqual({ x: 7, y: 8 });
  });
  it('copies and pastes with new ids, names and the inner connections', () => {
    let g = connect(twoScales(), [1, 'output'], [2, 'input']);
    g = connect(g, [null, 'source'], [1, 'input']);
    const clip = copySubmodules(g, [1, 2]);
    expect(clip?.connections).toHaveLength(1); // the one from the composite's inputs is left behind
    const { graph: pasted, ids } = pasteSubmodules(g, clip!);
    expect(ids).toEqual([3, 4]);
    expect(pasted.submodules.slice(2).map((s) => [s.name, s.position])).toEqual([
      ['A 2', { x: 40, y: 40 }],
      ['B 2', { x: 340, y: 40 }],
    ]);
    expect(pasted.connections.at(-1)).toEqual({ kind: 'dataset', source: at(3, 'output'), target: at(4, 'input') });
    expect(copySubmodules(g, [])).toBeNull();
  });
  it("renames the composite's own slot in its connections", () => {
    const g = connect(connect(twoScales(), [null, 'source'], [1, 'input']), [2, 'output'], [null, 'result']);
    const renamed = renameOwnSlot(renameOwnSlot(g, 'source', 'src'), 'result', 'res');
    expect(renamed.connections.map((c) => [c.source.slot, c.target.slot])).toEqual([
      ['src', 'input'],
      ['output', 'res'],
    ]);
    expect(renameOwnSlot(g, 'unused', 'x')).toBe(g);
  });
  it('normalizes what the server stored', () => {
    expect(normalizeGraph({})).toEqual({ submodules: [], connections: [] });
    expect(normalizeGraph(null)).toEqual({ submodules: [], connections: [] });
    const g = connect(twoScales(), [1, 'output'], [2, 'input']);
    expect(normalizeGraph(JSON.parse(JSON.stringify(g)))).toEqual(g);
    expect(graphsEqual(g, JSON.parse(JSON.stringify(g)))).toBe(true);
    expect(graphsEqual(g, twoScales())).toBe(false);
  });
  it("keeps where the composite's own nodes are, through edits and the server", () => {
    const layout = { inputs: { x: -300, y: 10.5 }, outputs: { x: 600, y: 10.5 } };
    const g = withLayout(twoScales(), layout);
    expect(normalizeGraph(JSON.parse(JSON.stringify(g))).layout).toEqual(layout);
    expect(graphsEqual(g, twoScales())).toBe(false);
    expect(removeSubmodules(g, [1]).layout).toEqual(layout);
    expect(pasteSubmodules(g, copySubmodules(g, [1])!).graph.layout).toEqual(layout);
    expect(normalizeGraph({ ...twoScales(), layout: { inputs: { x: 1 } } }).layout).toBeUndefined();
  });
});

describe('freeSpot (issue 14 #5)', () => {
  const size = { width: 220, height: 120 };
  it('keeps the wished place when it is free, else takes the nearest free one', () => {
    expect(freeSpot({ x: 10, y: 10 }, size, [])).toEqual({ x: 10, y: 10 });
    const taken = [{ x: 0, y: 0, ...size }];
    const spot = freeSpot({ x: 0, y: 0 }, size, taken);
    const overlaps = spot.x < 240 && spot.x + 240 > 0 && spot.y < 140 && spot.y + 140 > 0;
    expect(overlaps).toBe(false);
    // Two adds at the same place never stack.
    const second = freeSpot({ x: 0, y: 0 }, size, [...taken, { ...spot, ...size }]);
    expect(second).not.toEqual(spot);
  });
});
