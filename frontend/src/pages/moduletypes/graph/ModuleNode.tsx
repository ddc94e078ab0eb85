import { Handle, Position, useUpdateNodeInternals, type NodeProps } from '@xyflow/react';
import { createContext, useContext, useEffect, useState, type KeyboardEvent } from 'react';
import { handleId, PHASE_LABELS, PHASE_TEXT_COLORS, type ModuleFlowNode, type PortView } from './flow';

/** What a node may ask of its editor (nodes get only data; actions come through this context). */
export interface NodeActions {
  /** Rename a submodule; returns the reason when refused. */
  rename: (submoduleId: number, name: string) => string | null;
  remove: (submoduleId: number) => void;
}

export const NodeActionsContext = createContext<NodeActions>({ rename: () => null, remove: () => {} });

function portTitle(port: PortView): string {
  const parts = [`${port.kind === 'dataset' ? 'Dataset' : 'Parameter'} ${port.name}`, port.typeLabel];
  if (port.optional) parts.push('optional');
  if (port.description) parts.push(port.description);
  return [parts.join(' · '), ...port.errors].join('\n');
}

function PortLabel({ port, side, nodeTitle }: { port: PortView; side: 'in' | 'out'; nodeTitle: string }) {
  return (
    <span
      className={`mt-port mt-port-${port.kind} mt-port-${side}${port.optional ? ' mt-port-optional' : ''}${port.errors.length ? ' mt-port-error' : ''}`}
      title={portTitle(port)}
      data-testid={`port-${nodeTitle}-${side}-${port.name}`}
    >
      {port.name}
      {port.optional && <span className="mt-port-opt">?</span>}
    </span>
  );
}

/**
 * The one node component: ports come from the slot lists in `data` (datasets blue, parameters red;
 * inputs on the left, outputs on the right). Double-click the title of a submodule to rename it.
 */
export function ModuleNode({ id, data, selected }: NodeProps<ModuleFlowNode>) {
  const actions = useContext(NodeActionsContext);
  const updateNodeInternals = useUpdateNodeInternals();
  const portsKey = [...data.inputs.map((p) => `i${handleId(p.kind, p.name)}`), ...data.outputs.map((p) => `o${handleId(p.kind, p.name)}`)].join('|');
  useEffect(() => {
    updateNodeInternals(id);
  }, [id, portsKey, updateNodeInternals]);

  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(data.title);
  const [problem, setProblem] = useState<string | null>(null);
  const own = data.role !== 'submodule';

  const finish = (save: boolean) => {
    if (save && data.submoduleId !== null && draft.trim() !== data.title) {
      const refused = actions.rename(data.submoduleId, draft);
      if (refused) {
        setProblem(refused);
        return;
      }
    }
    setProblem(null);
    setEditing(false);
  };
  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    event.stopPropagation();
    if (event.key === 'Enter') finish(true);
    if (event.key === 'Escape') finish(false);
  };

  const rows = Math.max(data.inputs.length, data.outputs.length);
  const hasErrors = data.errors.length > 0 || data.inputs.some((p) => p.errors.length) || data.outputs.some((p) => p.errors.length);
  return (
    <div
      className={`mt-node${own ? ' mt-node-own' : ''}${selected ? ' mt-node-selected' : ''}${hasErrors ? ' mt-node-error' : ''}${data.missing ? ' mt-node-missing' : ''}${data.phase ? ` mt-node-phase-${data.phase}` : ''}`}
      data-testid={`node-${data.title}`}
      data-phase={data.phase ?? undefined}
    >
      <div
        className="mt-node-header"
        data-testid={`node-header-${data.title}`}
        style={own ? undefined : { background: data.color, ...(data.phase ? { color: PHASE_TEXT_COLORS[data.phase] } : {}) }}
        onDoubleClick={() => {
          if (own || data.readOnly) return;
          setDraft(data.title);
          setEditing(true);
        }}
        title={own || data.readOnly ? data.subtitle : 'Double-click to rename'}
      >
        {editing ? (
          <input
            className="mt-node-rename nodrag"
            aria-label="Submodule name"
            value={draft}
            autoFocus
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKey}
            onBlur={() => finish(true)}
          />
        ) : (
          <span className="mt-node-title">
            {data.title}
            {data.phase === 'aggregation' && (
              <span className="mt-node-agg" title="An aggregation submodule: keeps its state across runs of a module">
                {' '}
                (Agg)
              </span>
            )}
          </span>
        )}
        {!own && !data.readOnly && !editing && (
          <button
            type="button"
            className="mt-node-remove nodrag"
            aria-label={`Delete ${data.title}`}
            title="Delete submodule (Delete key)"
            onClick={() => data.submoduleId !== null && actions.remove(data.submoduleId)}
          >
            ×
          </button>
        )}
      </div>
      <div className="mt-node-subtitle" title={data.phase ? `Runs ${PHASE_LABELS[data.phase]}` : undefined}>
        {data.subtitle}
      </div>
      {problem && <div className="mt-node-problem">{problem}</div>}
      <div className="mt-node-body">
        {rows === 0 && <div className="mt-node-empty">{data.missing ? 'Version not found' : 'No slots'}</div>}
        {Array.from({ length: rows }, (_, i) => {
          const input = data.inputs[i];
          const output = data.outputs[i];
          return (
            <div className="mt-node-row" key={i}>
              <div className="mt-node-cell mt-node-cell-in">
                {input && (
                  <>
                    <Handle
                      type="target"
                      position={Position.Left}
                      id={handleId(input.kind, input.name)}
                      className={`mt-handle mt-handle-${input.kind}`}
                      data-testid={`handle-${data.title}-in-${input.name}`}
                      isConnectable={!data.readOnly}
                    />
                    <PortLabel port={input} side="in" nodeTitle={data.title} />
                  </>
                )}
              </div>
              <div className="mt-node-cell mt-node-cell-out">
                {output && (
                  <>
                    <PortLabel port={output} side="out" nodeTitle={data.title} />
                    <Handle
                      type="source"
                      position={Position.Right}
                      id={handleId(output.kind, output.name)}
                      className={`mt-handle mt-handle-${output.kind}`}
                      data-testid={`handle-${data.title}-out-${output.name}`}
                      isConnectable={!data.readOnly}
                    />
                  </>
                )}
              </div>
            </div>
          );
        })}
      </div>
      {data.errors.length > 0 && (
        // Folded to one line: a node keeps the size auto-layout gave it when validation answers later.
        <details className="mt-node-errors nodrag" data-testid={`node-errors-${data.title}`}>
          <summary>
            {data.errors.length === 1 ? '1 problem' : `${data.errors.length} problems`}
          </summary>
          <ul>
            {data.errors.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
