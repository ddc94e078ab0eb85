/**
 * The diagram editor's state (one small zustand store per open editor): the graph with undo/redo,
 * where the composite's own nodes are, node sizes, the selection, the clipboard and a message line.
 * Graph rules live in ./graph; this only sequences them.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CompositeGraph, GraphLayout } from '../../../api/types';
import { defaultOwnPositions } from './flow';
import { withLayout, type GraphClipboard } from './graph';
import { canRedo, canUndo, createHistory, pushHistory, recordStep, redo, replacePresent, undo, type History } from './history';

export interface EditorMessage {
  text: string;
  tone: 'error' | 'info';
}

export interface DiagramState {
  history: History<CompositeGraph>;
  /** Where the Inputs/Outputs nodes are while the graph has no `layout` of its own. */
  defaultOwnPositions: GraphLayout;
  measured: Map<string, { width: number; height: number }>;
  selectedNodes: Set<string>;
  selectedEdges: Set<string>;
  clipboard: GraphClipboard | null;
  message: EditorMessage | null;
  /** The graph when the current drag began (for one undo step per drag). */
  dragOrigin: CompositeGraph | null;

  /** Start over from a saved graph (no undo back past it). */
  reset: (graph: CompositeGraph) => void;
  /** An edit: one undo step. */
  commit: (next: CompositeGraph) => void;
  /** A change during a drag: no undo step until {@link endDrag}. */
  dragTo: (next: CompositeGraph) => void;
  beginDrag: () => void;
  endDrag: () => void;
  undo: () => void;
  redo: () => void;
  canUndo: () => boolean;
  canRedo: () => boolean;
  /** Moves the Inputs/Outputs nodes: a graph change (saved, and undone like a submodule's move). */
  setOwnPositions: (positions: Partial<GraphLayout>, step?: 'drag' | 'commit') => void;
  setMeasured: (id: string, size: { width: number; height: number }) => void;
  setSelection: (nodes: Iterable<string>, edges: Iterable<string>) => void;
  setClipboard: (clipboard: GraphClipboard | null) => void;
  say: (text: string, tone?: EditorMessage['tone']) => void;
  clearMessage: () => void;
}

export type DiagramStore = StoreApi<DiagramState>;

/** Where the composite's own nodes are shown: the saved layout, else the default. */
export function ownPositionsOf(state: Pick<DiagramState, 'history' | 'defaultOwnPositions'>): GraphLayout {
  return state.history.present.layout ?? state.defaultOwnPositions;
}

export function createDiagramStore(graph: CompositeGraph): DiagramStore {
  return createStore<DiagramState>()((set, get) => ({
    history: createHistory(graph),
    defaultOwnPositions: defaultOwnPositions(graph),
    measured: new Map(),
    selectedNodes: new Set(),
    selectedEdges: new Set(),
    clipboard: null,
    message: null,
    dragOrigin: null,

    reset: (next) =>
      set({
        history: createHistory(next),
        defaultOwnPositions: defaultOwnPositions(next),
        selectedNodes: new Set(),
        selectedEdges: new Set(),
        dragOrigin: null,
        message: null,
      }),
    commit: (next) => set((s) => ({ history: pushHistory(s.history, next) })),
    dragTo: (next) => set((s) => ({ history: replacePresent(s.history, next) })),
    beginDrag: () => set((s) => (s.dragOrigin ? {} : { dragOrigin: s.history.present })),
    endDrag: () =>
      set((s) => (s.dragOrigin ? { history: recordStep(s.history, s.dragOrigin), dragOrigin: null } : {})),
    undo: () => set((s) => ({ history: undo(s.history), dragOrigin: null })),
    redo: () => set((s) => ({ history: redo(s.history), dragOrigin: null })),
    canUndo: () => canUndo(get().history),
    canRedo: () => canRedo(get().history),
    setOwnPositions: (positions, step = 'drag') =>
      set((s) => {
        const next = withLayout(s.history.present, { ...ownPositionsOf(s), ...positions });
        return { history: step === 'commit' ? pushHistory(s.history, next) : replacePresent(s.history, next) };
      }),
    setMeasured: (id, size) =>
      set((s) => {
        const old = s.measured.get(id);
        if (old && old.width === size.width && old.height === size.height) return {};
        const measured = new Map(s.measured);
        measured.set(id, size);
        return { measured };
      }),
    setSelection: (nodes, edges) => set({ selectedNodes: new Set(nodes), selectedEdges: new Set(edges) }),
    setClipboard: (clipboard) => set({ clipboard }),
    say: (text, tone = 'error') => set({ message: { text, tone } }),
    clearMessage: () => set({ message: null }),
  }));
}
