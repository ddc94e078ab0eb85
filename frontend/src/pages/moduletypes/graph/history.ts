/** A bounded undo/redo stack of immutable snapshots (pure). */

export interface History<T> {
  past: T[];
  present: T;
  future: T[];
}

export const HISTORY_LIMIT = 100;

export function createHistory<T>(present: T): History<T> {
  return { past: [], present, future: [] };
}

/** A new present; the old one can be undone to; redo is forgotten. Pushing the same object is a no-op. */
export function pushHistory<T>(history: History<T>, next: T, limit = HISTORY_LIMIT): History<T> {
  if (next === history.present) return history;
  const past = [...history.past, history.present];
  return { past: past.length > limit ? past.slice(past.length - limit) : past, present: next, future: [] };
}

/** Replace the present without an undo step (e.g. while a node is being dragged). */
export function replacePresent<T>(history: History<T>, next: T): History<T> {
  return next === history.present ? history : { ...history, present: next };
}

/**
 * After changes made with {@link replacePresent} (a drag), make `before` the undo step for them.
 * Nothing is recorded when the present is still `before`.
 */
export function recordStep<T>(history: History<T>, before: T, limit = HISTORY_LIMIT): History<T> {
  if (before === history.present) return history;
  const past = [...history.past, before];
  return { past: past.length > limit ? past.slice(past.length - limit) : past, present: history.present, future: [] };
}

export function canUndo<T>(history: History<T>): boolean {
  return history.past.length > 0;
}

export function canRedo<T>(history: History<T>): boolean {
  return history.future.length > 0;
}

export function undo<T>(history: History<T>): History<T> {
  if (!history.past.length) return history;
  const previous = history.past[history.past.length - 1] as T;
  return { past: history.past.slice(0, -1), present: previous, future: [history.present, ...history.future] };
}

export function redo<T>(history: History<T>): History<T> {
  if (!history.future.length) return history;
  const [next, ...future] = history.future as [T, ...T[]];
  return { past: [...history.past, history.present], present: next, future };
}
