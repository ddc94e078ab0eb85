import { describe, expect, it } from 'vitest';
import { addSubmodule, moveSubmodules } from './graph';
import { createDiagramStore, ownPositionsOf } from './store';
import { twoScales } from './testGraph';

describe('diagram store', () => {
  it('commits edits as undo steps and resets', () => {
    const store = createDiagramStore(twoScales());
    const s = store.getState;
    const { graph } = addSubmodule(s().history.present, { id: 10, module_type_name: 'Scale' }, { x: 0, y: 0 });
    s().commit(graph);
    expect(s().history.present.submodules).toHaveLength(3);
    expect(s().canUndo()).toBe(true);
    s().undo();
    expect(s().history.present.submodules).toHaveLength(2);
    s().redo();
    expect(s().history.present.submodules).toHaveLength(3);
    s().reset(twoScales());
    expect(s().canUndo()).toBe(false);
  });
  it('makes one undo step per drag', () => {
    const store = createDiagramStore(twoScales());
    const s = store.getState;
    s().beginDrag();
    s().dragTo(moveSubmodules(s().history.present, new Map([[1, { x: 10, y: 0 }]])));
    s().dragTo(moveSubmodules(s().history.present, new Map([[1, { x: 20, y: 0 }]])));
    s().endDrag();
    expect(s().history.past).toHaveLength(1);
    s().undo();
    expect(s().history.present.submodules[0]?.position).toEqual({ x: 0, y: 0 });
  });
  it("moves the composite's own nodes as a saved, undoable part of the graph", () => {
    const store = createDiagramStore(twoScales());
    const s = store.getState;
    const start = ownPositionsOf(s());
    expect(s().history.present.layout).toBeUndefined();
    s().beginDrag();
    s().setOwnPositions({ inputs: { x: -500, y: 5 } });
    s().endDrag();
    expect(s().history.present.layout).toEqual({ inputs: { x: -500, y: 5 }, outputs: start.outputs });
    expect(ownPositionsOf(s()).inputs).toEqual({ x: -500, y: 5 });
    s().setOwnPositions({ outputs: { x: 900, y: 0 } }, 'commit');
    expect(s().history.past).toHaveLength(2);
    s().undo();
    s().undo();
    expect(ownPositionsOf(s())).toEqual(start);
  });
  it('keeps sizes, selection and messages', () => {
    const store = createDiagramStore(twoScales());
    const s = store.getState;
    s().setMeasured('s1', { width: 10, height: 20 });
    const before = s().measured;
    s().setMeasured('s1', { width: 10, height: 20 });
    expect(s().measured).toBe(before);
    s().setSelection(['s1'], []);
    expect([...s().selectedNodes]).toEqual(['s1']);
    s().say('No.');
    expect(s().message).toEqual({ text: 'No.', tone: 'error' });
    s().clearMessage();
    expect(s().message).toBeNull();
  });
});
