import '@xyflow/react/dist/style.css';
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useNodesInitialized,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type NodeTypes,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, type DragEvent, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import type { GraphConnection, Phases, ValidationError } from '../../../api/types';
import {
  addConnection,
  addSubmodule,
  checkConnection,
  copySubmodules,
  freeSpot,
  moveSubmodules,
  pasteSubmodules,
  removeConnections,
  removeSubmodules,
  renameSubmodule,
  withLayout,
  type GraphContext,
  type VersionInfo,
} from './graph';
import {
  DATASET_COLOR,
  endpointsFromFlow,
  graphToFlow,
  INPUTS_NODE,
  OUTPUTS_NODE,
  PARAMETER_COLOR,
  PHASE_COLORS,
  PHASE_TEXT_COLORS,
  submoduleOfNode,
  type ConnectionEdge,
  type ModuleFlowNode,
} from './flow';
import { layoutGraph } from './layout';
import { ModuleNode, NodeActionsContext, type NodeActions } from './ModuleNode';
import { Palette, PALETTE_MIME } from './Palette';
import { ownPositionsOf, type DiagramStore } from './store';

const FIT_VIEW = { padding: 0.15, maxZoom: 1 };
/** What a node not drawn yet is assumed to cover when placing a new one (a submodule is about this big). */
const PLACEMENT_SIZE = { width: 320, height: 140 };

/** Defined once, at module scope (React Flow re-mounts every node when this object changes). */
const nodeTypes: NodeTypes = { module: ModuleNode };

interface Props {
  store: DiagramStore;
  ctx: GraphContext;
  versions: ReadonlyMap<number, VersionInfo>;
  /** What the palette offers (the version being edited is left out). */
  palette: VersionInfo[];
  paletteLoading: boolean;
  paletteError: string | null;
  readOnly: boolean;
  errors: ValidationError[];
  /** Submodules by phase, from the validate answer or the version detail ({}: no aggregation). */
  phases?: Phases;
  datasetTypeNames: ReadonlyMap<string, string>;
}

export function DiagramEditor(props: Props) {
  return (
    <ReactFlowProvider>
      <DiagramEditorInner {...props} />
    </ReactFlowProvider>
  );
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

function DiagramEditorInner({ store, ctx, versions, palette, paletteLoading, paletteError, readOnly, errors, phases, datasetTypeNames }: Props) {
  const graph = useStore(store, (s) => s.history.present);
  const ownPositions = useStore(store, ownPositionsOf);
  const measured = useStore(store, (s) => s.measured);
  const selectedNodes = useStore(store, (s) => s.selectedNodes);
  const selectedEdges = useStore(store, (s) => s.selectedEdges);
  const message = useStore(store, (s) => s.message);
  const undoable = useStore(store, (s) => s.history.past.length > 0);
  const redoable = useStore(store, (s) => s.history.future.length > 0);
  const clipboard = useStore(store, (s) => s.clipboard);
  const flow = useReactFlow<ModuleFlowNode, ConnectionEdge>();
  const wrapper = useRef<HTMLDivElement>(null);
  const fitted = useRef(false);
  const userMoved = useRef(false);

  const { nodes, edges } = useMemo(
    () =>
      graphToFlow(graph, {
        ctx,
        versions,
        ownPositions,
        measured,
        selectedNodes,
        selectedEdges,
        errors,
        readOnly,
        datasetTypeNames,
        phases,
      }),
    [graph, ctx, versions, ownPositions, measured, selectedNodes, selectedEdges, errors, readOnly, datasetTypeNames, phases],
  );
  const hasPhases = nodes.some((n) => n.data.phase);

  const s = store.getState;

  // Fit the view once every node has its size and the diagram is on screen (after a reload, or when a
  // hidden tab shows it): React Flow's own initial fit runs before the nodes are measured.
  const initialized = useNodesInitialized();
  const allMeasured = initialized && nodes.length > 0 && nodes.every((n) => measured.has(n.id));
  useEffect(() => {
    const el = wrapper.current;
    if (!el) return;
    const fit = () => {
      if (fitted.current || !allMeasured || el.clientWidth === 0 || el.clientHeight === 0) return;
      fitted.current = true;
      // Two frames: React Flow takes the measured sizes into its own store first.
      window.requestAnimationFrame(() => window.requestAnimationFrame(() => void flow.fitView(FIT_VIEW)));
    };
    fit();
    const observer = new ResizeObserver(() => {
      // Hidden (a tab), or resized (the palette arriving narrows it) before the user moved the view: fit again.
      if (el.clientWidth === 0 || !userMoved.current) fitted.current = false;
      fit();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [allMeasured, flow]);

  const onNodesChange = useCallback(
    (changes: NodeChange<ModuleFlowNode>[]) => {
      const moved = new Map<number, { x: number; y: number }>();
      let selection: { nodes: Set<string>; changed: boolean } = { nodes: new Set(s().selectedNodes), changed: false };
      for (const change of changes) {
        if (change.type === 'position' && change.position) {
          const sub = submoduleOfNode(change.id);
          if (typeof sub === 'number') moved.set(sub, change.position);
          else if (change.id === INPUTS_NODE) s().setOwnPositions({ inputs: change.position });
          else if (change.id === OUTPUTS_NODE) s().setOwnPositions({ outputs: change.position });
        } else if (change.type === 'dimensions' && change.dimensions) {
          s().setMeasured(change.id, change.dimensions);
        } else if (change.type === 'select') {
          if (change.selected) selection.nodes.add(change.id);
          else selection.nodes.delete(change.id);
          selection = { ...selection, changed: true };
        }
        // 'remove' is handled once in onDelete (nodes and their edges in one undo step).
      }
      if (moved.size) s().dragTo(moveSubmodules(s().history.present, moved));
      if (selection.changed) s().setSelection(selection.nodes, s().selectedEdges);
    },
    [s],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<ConnectionEdge>[]) => {
      const selected = new Set(s().selectedEdges);
      let changed = false;
      for (const change of changes) {
        if (change.type === 'select') {
          if (change.selected) selected.add(change.id);
          else selected.delete(change.id);
          changed = true;
        }
      }
      if (changed) s().setSelection(s().selectedNodes, selected);
    },
    [s],
  );

  const deleteElements = useCallback(
    (nodeIds: string[], edgeList: ConnectionEdge[]) => {
      if (readOnly) return;
      const subs = nodeIds.map(submoduleOfNode).filter((x): x is number => typeof x === 'number');
      let next = removeSubmodules(s().history.present, subs);
      next = removeConnections(
        next,
        edgeList.map((e) => e.data?.connection).filter((c): c is GraphConnection => !!c),
      );
      if (next !== s().history.present) {
        s().commit(next);
        s().setSelection([], []);
      }
    },
    [readOnly, s],
  );

  const onConnect = useCallback(
    (connection: Connection) => {
      if (readOnly) return;
      const ends = endpointsFromFlow(connection);
      if (!ends) return;
      const check = checkConnection(s().history.present, ctx, ends.source, ends.target);
      if (!check.ok) {
        s().say(check.reason);
        return;
      }
      s().commit(addConnection(s().history.present, check.connection));
      s().clearMessage();
    },
    [ctx, readOnly, s],
  );

  const addVersion = useCallback(
    (version: VersionInfo, position?: { x: number; y: number }) => {
      if (readOnly) return;
      // The new node's size is not known before it is drawn: as large as the largest submodule so far.
      const sizes = [...s().measured.entries()].filter(([k]) => /^s\d+$/.test(k)).map(([, v]) => v);
      const size = {
        width: Math.max(PLACEMENT_SIZE.width, ...sizes.map((v) => v.width)),
        height: Math.max(PLACEMENT_SIZE.height, ...sizes.map((v) => v.height)),
      };
      let wished = position;
      if (!wished) {
        const box = wrapper.current?.getBoundingClientRect();
        const center = box
          ? flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 })
          : { x: 0, y: 0 };
        wished = { x: center.x - size.width / 2, y: center.y - size.height / 2 };
      }
      // Where wished (the drop point, or the middle of the view) unless a node is there: then the nearest free place.
      const present = s().history.present;
      const own = ownPositionsOf(s());
      const boxOf = (id: string, p: { x: number; y: number }) => ({ ...p, ...(s().measured.get(id) ?? size) });
      const taken = [
        ...present.submodules.map((x) => boxOf(`s${x.id}`, x.position)),
        boxOf(INPUTS_NODE, own.inputs),
        boxOf(OUTPUTS_NODE, own.outputs),
      ];
      const at = freeSpot(wished, size, taken);
      const { graph: next, id } = addSubmodule(present, version, at);
      s().commit(next);
      s().setSelection([`s${id}`], []);
      s().say(`Added ${next.submodules.find((x) => x.id === id)?.name}.`, 'info');
    },
    [flow, readOnly, s],
  );

  const onDrop = (event: DragEvent) => {
    const raw = event.dataTransfer.getData(PALETTE_MIME);
    if (!raw) return;
    event.preventDefault();
    const version = versions.get(Number(raw)) ?? palette.find((v) => v.id === Number(raw));
    if (!version) return;
    const p = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    // The node's title bar under the pointer, where it was dropped.
    addVersion(version, { x: Math.round(p.x - 110), y: Math.round(p.y - 16) });
  };

  const copy = useCallback(() => {
    const ids = [...s().selectedNodes].map(submoduleOfNode).filter((x): x is number => typeof x === 'number');
    const clip = copySubmodules(s().history.present, ids);
    if (!clip) {
      s().say('Select submodules to copy.', 'info');
      return;
    }
    s().setClipboard(clip);
    s().say(`Copied ${clip.submodules.length} submodule${clip.submodules.length === 1 ? '' : 's'}.`, 'info');
  }, [s]);

  const paste = useCallback(() => {
    const clip = s().clipboard;
    if (readOnly || !clip) return;
    const { graph: next, ids } = pasteSubmodules(s().history.present, clip);
    s().commit(next);
    s().setSelection(ids.map((id) => `s${id}`), []);
    // The next paste lands a little further.
    s().setClipboard({
      ...clip,
      submodules: clip.submodules.map((x) => ({ ...x, position: { x: x.position.x + 40, y: x.position.y + 40 } })),
    });
  }, [readOnly, s]);

  const deleteSelected = useCallback(() => {
    const edgeList = edges.filter((e) => s().selectedEdges.has(e.id));
    deleteElements([...s().selectedNodes], edgeList);
  }, [deleteElements, edges, s]);

  const autoLayout = useCallback(async () => {
    const result = await layoutGraph(s().history.present, s().measured);
    const moved = moveSubmodules(s().history.present, result.submodules);
    s().commit(withLayout(moved, { inputs: result.inputs, outputs: result.outputs }));
    window.requestAnimationFrame(() => void flow.fitView({ padding: 0.15, maxZoom: 1 }));
  }, [flow, s]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (isTyping(event.target)) return;
    const mod = event.ctrlKey || event.metaKey;
    if (!mod) return;
    const key = event.key.toLowerCase();
    if (key === 'z' && !event.shiftKey && !readOnly) {
      event.preventDefault();
      s().undo();
    } else if (((key === 'z' && event.shiftKey) || key === 'y') && !readOnly) {
      event.preventDefault();
      s().redo();
    } else if (key === 'c') {
      event.preventDefault();
      copy();
    } else if (key === 'v' && !readOnly) {
      event.preventDefault();
      paste();
    }
  };

  const actions = useMemo<NodeActions>(
    () => ({
      rename: (id, name) => {
        const result = renameSubmodule(s().history.present, id, name);
        if (!result.ok) return result.reason;
        s().commit(result.graph);
        return null;
      },
      remove: (id) => deleteElements([`s${id}`], []),
    }),
    [deleteElements, s],
  );

  return (
    <div className="mt-diagram-layout">
      {!readOnly && (
        <Palette
          versions={palette}
          loading={paletteLoading}
          error={paletteError}
          onAdd={(v) => addVersion(v)}
        />
      )}
      <div className="mt-diagram-main">
        <div className="mt-diagram-toolbar" role="toolbar" aria-label="Diagram">
          {!readOnly && (
            <>
              <button type="button" className="btn btn-small" onClick={() => s().undo()} disabled={!undoable} title="Ctrl+Z">
                Undo
              </button>
              <button type="button" className="btn btn-small" onClick={() => s().redo()} disabled={!redoable} title="Ctrl+Shift+Z">
                Redo
              </button>
              <button
                type="button"
                className="btn btn-small"
                onClick={deleteSelected}
                disabled={selectedNodes.size === 0 && selectedEdges.size === 0}
                title="Delete"
              >
                Delete selected
              </button>
              <button type="button" className="btn btn-small" onClick={copy} disabled={selectedNodes.size === 0} title="Ctrl+C">
                Copy
              </button>
              <button type="button" className="btn btn-small" onClick={paste} disabled={!clipboard} title="Ctrl+V">
                Paste
              </button>
              <button type="button" className="btn btn-small" onClick={() => void autoLayout()}>
                Auto-layout
              </button>
            </>
          )}
          <button type="button" className="btn btn-small" onClick={() => void flow.fitView({ padding: 0.15, maxZoom: 1 })}>
            Zoom to fit
          </button>
          <span className="mt-legend">
            <span className="mt-legend-item" style={{ borderColor: DATASET_COLOR }}>
              dataset
            </span>
            <span className="mt-legend-item" style={{ borderColor: PARAMETER_COLOR }}>
              parameter
            </span>
            {hasPhases && (
              <span className="mt-legend-phases" data-testid="phase-legend">
                <span className="mt-legend-item mt-legend-phase" style={{ background: PHASE_COLORS.before, color: PHASE_TEXT_COLORS.before, borderColor: PHASE_COLORS.before }}>
                  before aggregation
                </span>
                <span
                  className="mt-legend-item mt-legend-phase"
                  style={{ background: PHASE_COLORS.aggregation, color: PHASE_TEXT_COLORS.aggregation, borderColor: PHASE_COLORS.aggregation }}
                >
                  aggregation (Agg)
                </span>
                <span className="mt-legend-item mt-legend-phase" style={{ background: PHASE_COLORS.after, color: PHASE_TEXT_COLORS.after, borderColor: PHASE_COLORS.after }}>
                  after aggregation
                </span>
              </span>
            )}
          </span>
        </div>
        <div
          className={`mt-diagram-message${message ? ` mt-diagram-message-${message.tone}` : ''}`}
          role={message?.tone === 'error' ? 'alert' : 'status'}
          data-testid="diagram-message"
        >
          {message ? (
            <>
              <span>{message.text}</span>
              <button type="button" className="btn btn-small" onClick={() => s().clearMessage()} aria-label="Dismiss message">
                ×
              </button>
            </>
          ) : readOnly ? (
            'Read-only.'
          ) : (
            'Drag from an output (right) to an input (left) to connect. Double-click a title to rename; Delete removes.'
          )}
        </div>
        <div
          className="mt-diagram"
          ref={wrapper}
          tabIndex={-1}
          onKeyDown={onKeyDown}
          onMouseDown={(e) => {
            if (!isTyping(e.target)) wrapper.current?.focus({ preventScroll: true });
          }}
          onDragOver={(e) => {
            if (e.dataTransfer.types.includes(PALETTE_MIME)) {
              e.preventDefault();
              e.dataTransfer.dropEffect = 'copy';
            }
          }}
          onDrop={onDrop}
          data-testid="diagram"
        >
          <NodeActionsContext.Provider value={actions}>
            <ReactFlow<ModuleFlowNode, ConnectionEdge>
              nodes={nodes}
              edges={edges}
              nodeTypes={nodeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onConnect={onConnect}
              onDelete={({ nodes: n, edges: e }) => deleteElements(n.map((x) => x.id), e)}
              onNodeDragStart={() => s().beginDrag()}
              onNodeDragStop={() => s().endDrag()}
              nodesDraggable={!readOnly}
              nodesConnectable={!readOnly}
              elementsSelectable
              deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
              zoomOnDoubleClick={false}
              fitView
              fitViewOptions={FIT_VIEW}
              onMoveStart={(event) => {
                if (event) userMoved.current = true; // a pan or zoom by the user (fitView moves without an event)
              }}
              minZoom={0.2}
              connectionLineStyle={{ stroke: '#5e6b7c', strokeWidth: 2 }}
            >
              <Background gap={16} size={1} />
              <Controls showInteractive={false} />
              <MiniMap pannable zoomable nodeColor={(n) => (n as ModuleFlowNode).data.color} />
            </ReactFlow>
          </NodeActionsContext.Provider>
        </div>
      </div>
    </div>
  );
}
