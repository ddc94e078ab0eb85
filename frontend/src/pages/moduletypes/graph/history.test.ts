import { describe, expect, it } from 'vitest';
import { canRedo, canUndo, createHistory, pushHistory, recordStep, redo, replacePresent, undo } from './history';

describe('undo/redo history', () => {
  it('undoes and redoes in order', () => {
    let h = createHistory('a');
    h = pushHistory(h, 'b');
    h = pushHistory(h, 'c');
    expect(canUndo(h)).toBe(true);
    expect(canRedo(h)).toBe(false);
    h = undo(h);
    expect(h.present).toBe('b');
    h = undo(h);
    expect(h.present).toBe('a');
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h);
    h = redo(h);
    h = redo(h);
    expect(h.present).toBe('c');
    expect(redo(h)).toBe(h);
  });
  it('forgets the redo steps after a new edit', () => {
    let h = pushHistory(pushHistory(createHistory(1), 2), 3);
    h = undo(h);
    h = pushHistory(h, 4);
    expect(h.present).toBe(4);
    expect(canRedo(h)).toBe(false);
    expect(undo(h).present).toBe(2);
  });
  it('ignores pushing the present again', () => {
    const h = createHistory({ x: 1 });
    expect(pushHistory(h, h.present)).toBe(h);
  });
  it('keeps at most `limit` steps', () => {
    let h = createHistory(0);
    for (let i = 1; i <= 10; i++) h = pushHistory(h, i, 3);
    expect(h.past).toEqual([7, 8, 9]);
  });
  it('makes a drag one undo step', () => {
    let h = pushHistory(createHistory('start'), 'before drag');
    const origin = h.present;
    h = replacePresent(h, 'moving 1');
    h = replacePresent(h, 'moving 2');
    expect(h.past).toEqual(['start']);
    h = recordStep(h, origin);
    expect(h.present).toBe('moving 2');
    expect(undo(h).present).toBe('before drag');
    // a click without a move records nothing
    expect(recordStep(h, h.present)).toBe(h);
  });
});
