import { useMemo, useState, type DragEvent } from 'react';
import type { VersionInfo } from './graph';

export const PALETTE_MIME = 'application/x-modulebench-version';

interface Props {
  versions: VersionInfo[];
  loading: boolean;
  error: string | null;
  onAdd: (version: VersionInfo) => void;
}

/** Module type versions to drag (or click "Add") into the diagram as submodules. */
export function Palette({ versions, loading, error, onAdd }: Props) {
  const [filter, setFilter] = useState('');
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const list = f
      ? versions.filter((v) => `${v.module_type_name} v${v.number} ${v.name}`.toLowerCase().includes(f))
      : versions;
    return [...list].sort((a, b) => a.module_type_name.localeCompare(b.module_type_name) || a.number - b.number);
  }, [versions, filter]);

  const onDragStart = (event: DragEvent, version: VersionInfo) => {
    event.dataTransfer.setData(PALETTE_MIME, String(version.id));
    event.dataTransfer.effectAllowed = 'copy';
  };

  return (
    <aside className="mt-palette" aria-label="Palette">
      <h3>Palette</h3>
      <input
        type="search"
        placeholder="Filter versions…"
        aria-label="Filter palette"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
      />
      {loading && <p className="muted">Loading…</p>}
      {error && <p className="form-error">{error}</p>}
      {!loading && shown.length === 0 && <p className="empty">No version{filter ? ' matches' : ''}.</p>}
      <ul className="mt-palette-list">
        {shown.map((v) => (
          <li
            key={v.id}
            draggable
            onDragStart={(e) => onDragStart(e, v)}
            className={`mt-palette-item${v.is_aggregation ? ' mt-palette-item-agg' : ''}`}
            data-testid={`palette-${v.module_type_name}-v${v.number}`}
            title={`${v.module_type_name} version ${v.number} (${v.name})${v.is_aggregation ? ', an aggregation type (keeps its state across runs)' : ''}. Drag into the diagram, or Add.`}
          >
            <div className="mt-palette-text">
              <span className="mt-palette-name">
                {v.module_type_name}
                {v.is_aggregation && (
                  <span className="badge mt-agg-badge" data-testid="palette-agg">
                    Agg
                  </span>
                )}
              </span>
              <span className="muted">
                v{v.number} {v.name} {v.kind === 'composite' ? '· composite' : v.kind === 'progressive' ? '· progressive' : ''} {v.is_final ? '· final' : ''}
              </span>
            </div>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => onAdd(v)}
              aria-label={`Add ${v.module_type_name} v${v.number}`}
            >
              Add
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
