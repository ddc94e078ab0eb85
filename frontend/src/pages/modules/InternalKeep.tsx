import type { CompositeGraph } from '../../api/types';
import { internalItems, setKeep, type InternalItem, type ModuleDraft } from './draft';

interface Props {
  graph: CompositeGraph | Record<string, never>;
  draft: ModuleDraft;
  onChange: (draft: ModuleDraft) => void;
  readOnly: boolean;
}

/** A composite's internal datasets and parameters, normally dropped after the run: keep some (for debugging). */
export function InternalKeep({ graph, draft, onChange, readOnly }: Props) {
  const items = internalItems(graph);
  return (
    <div data-testid="internal-keep">
      <p className="muted">
        Internal datasets and parameters are dropped as soon as the run no longer needs them, unless you keep them here (mostly for
        debugging).
      </p>
      <KeepList title="Internal datasets" kind="datasets" items={items.datasets} draft={draft} onChange={onChange} readOnly={readOnly} />
      <KeepList title="Internal parameters" kind="parameters" items={items.parameters} draft={draft} onChange={onChange} readOnly={readOnly} />
    </div>
  );
}

function KeepList({
  title,
  kind,
  items,
  draft,
  onChange,
  readOnly,
}: {
  title: string;
  kind: 'datasets' | 'parameters';
  items: InternalItem[];
  draft: ModuleDraft;
  onChange: (d: ModuleDraft) => void;
  readOnly: boolean;
}) {
  const kept = new Set(draft.keep_internal[kind]);
  const all = items.length > 0 && items.every((i) => kept.has(i.key));
  return (
    <section className="mt-section">
      <h3 className="ds-subheading">{title}</h3>
      {items.length === 0 ? (
        <p className="empty">None.</p>
      ) : (
        <table className="table ds-table-compact">
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label={`Keep all ${title.toLowerCase()}`}
                  checked={all}
                  disabled={readOnly}
                  onChange={(e) => onChange(items.reduce((d, i) => setKeep(d, kind, i.key, e.target.checked), draft))}
                />
              </th>
              <th scope="col">Output of</th>
              <th scope="col">Read by</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.key}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Keep ${i.key}`}
                    checked={kept.has(i.key)}
                    disabled={readOnly}
                    onChange={(e) => onChange(setKeep(draft, kind, i.key, e.target.checked))}
                  />
                </td>
                <td>
                  <code>{i.key}</code>
                </td>
                <td>{i.consumers.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
