/** Phase colouring of the diagram (docs/aggregation.md "Phases"): yellow before, purple aggregation/after. */
import { describe, expect, it } from 'vitest';
import type { CompositeGraph, ValidationError } from '../../../api/types';
import { errorsByTarget, graphPhases, graphToFlow, PHASE_COLORS, submoduleColor, submodulePhase } from './flow';
import type { VersionInfo } from './graph';
import { ctxOf, SCALE } from './testGraph';

/** Version 10: a regular Scale; version 30: an aggregation type with the same slots. */
const versions = new Map<number, VersionInfo>([
  [10, { id: 10, module_type_name: 'Scale', number: 1, name: 'Initial', ...SCALE }],
  [30, { id: 30, module_type_name: 'Collect', number: 1, name: 'Initial', is_aggregation: true, ...SCALE }],
]);
const own = { inputs: { x: -300, y: 0 }, outputs: { x: 900, y: 0 } };
const ctx = { ...ctxOf(), versions: new Map([...ctxOf().versions, [30, SCALE]]) };

/** reg (10) → agg (30) → post (10), and a late one (10) not validated yet. */
function pipeline(): CompositeGraph {
  return {
    submodules: [
      { id: 1, name: 'reg', version: 10, position: { x: 0, y: 0 } },
      { id: 2, name: 'agg', version: 30, position: { x: 300, y: 0 } },
      { id: 3, name: 'post', version: 10, position: { x: 600, y: 0 } },
    ],
    connections: [
      { kind: 'dataset', source: { submodule: 1, slot: 'output' }, target: { submodule: 2, slot: 'input' } },
      { kind: 'dataset', source: { submodule: 2, slot: 'output' }, target: { submodule: 3, slot: 'input' } },
    ],
  };
}

const colorOf = (graph: CompositeGraph, phases: Record<string, 'before' | 'aggregation' | 'after'>, errors: ValidationError[] = []) =>
  Object.fromEntries(
    graphToFlow(graph, { ctx, versions, ownPositions: own, phases, errors })
      .nodes.filter((n) => n.data.role === 'submodule')
      .map((n) => [n.data.title, { color: n.data.color, phase: n.data.phase, errors: n.data.errors }]),
  );

describe('phase colouring', () => {
  it('colours by the server phases: before yellow, aggregation and after purple', () => {
    const nodes = colorOf(pipeline(), { '1': 'before', '2': 'aggregation', '3': 'after' });
    expect(nodes.reg).toMatchObject({ color: PHASE_COLORS.before, phase: 'before' });
    expect(nodes.agg).toMatchObject({ color: PHASE_COLORS.aggregation, phase: 'aggregation' });
    expect(nodes.post).toMatchObject({ color: PHASE_COLORS.after, phase: 'after' });
    expect(PHASE_COLORS.before).toBe('#f2c230');
    // Both purple: the red channel below the blue one, green the lowest.
    for (const purple of [PHASE_COLORS.aggregation, PHASE_COLORS.after]) {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(purple.slice(i, i + 2), 16)) as [number, number, number];
      expect(b).toBeGreaterThan(r);
      expect(r).toBeGreaterThan(g);
    }
  });

  it('keeps the usual colours by id when the graph has no aggregation (phases {})', () => {
    const graph: CompositeGraph = { submodules: pipeline().submodules.filter((s) => s.version === 10), connections: [] };
    const nodes = colorOf(graph, {});
    expect(nodes.reg).toMatchObject({ color: submoduleColor(1), phase: null });
    expect(nodes.post).toMatchObject({ color: submoduleColor(3), phase: null });
  });

  it('makes a just-dropped aggregation node purple before validation answers (the palette says is_aggregation)', () => {
    // Validation has not seen submodule 2 yet: phases {} (the graph had no aggregation before the drop).
    const nodes = colorOf(pipeline(), {});
    expect(nodes.agg).toMatchObject({ color: PHASE_COLORS.aggregation, phase: 'aggregation' });
    expect(nodes.reg).toMatchObject({ color: submoduleColor(1), phase: null });
    expect(submodulePhase({ id: 9, version: 10 }, {}, versions)).toBeNull();
    // The server's word wins over the palette's.
    expect(submodulePhase({ id: 2, version: 30 }, { '2': 'aggregation' }, versions)).toBe('aggregation');
    expect(submodulePhase({ id: 1, version: 10 }, { '1': 'after' }, versions)).toBe('after');
  });

  it('lists the phases of the graph (what decides the legend)', () => {
    expect([...graphPhases(pipeline(), { '1': 'before', '2': 'aggregation', '3': 'after' }, versions)]).toEqual([
      [1, 'before'],
      [2, 'aggregation'],
      [3, 'after'],
    ]);
    expect(graphPhases({ submodules: [pipeline().submodules[0]!], connections: [] }, {}, versions).size).toBe(0);
  });

  it('shows mixed_phase_inputs on the node and on the port fed from after', () => {
    const error: ValidationError = {
      code: 'mixed_phase_inputs',
      message: 's3 is fed both from before and from after an aggregation (slot factor).',
      submodule: 3,
      slot: 'factor',
    };
    const nodes = colorOf(pipeline(), { '1': 'before', '2': 'aggregation', '3': 'after' }, [error]);
    expect(nodes.post?.errors).toEqual(['post is fed both from before and from after an aggregation (slot factor).']);
    const { ports } = errorsByTarget([error], pipeline());
    expect(ports.get('s3|factor')).toHaveLength(1);
  });
});
