import { SQL_TYPES, type DatasetColumn } from '../../api/types';

interface Props {
  columns: DatasetColumn[];
  onChange: (columns: DatasetColumn[]) => void;
}

export const EMPTY_COLUMN: DatasetColumn = { name: '', sql_type: 'text' };

/** Rows of (name, SQL type) with add/remove. */
export function ColumnsEditor({ columns, onChange }: Props) {
  const update = (index: number, patch: Partial<DatasetColumn>) =>
    onChange(columns.map((c, i) => (i === index ? { ...c, ...patch } : c)));
  return (
    <fieldset className="ds-rows-editor">
      <legend>Columns</legend>
      {columns.length === 0 && <p className="muted">A dataset type needs at least one column.</p>}
      {columns.map((column, index) => (
        <div className="ds-rows-editor-row" key={index}>
          <input
            aria-label={`Column ${index + 1} name`}
            placeholder="column_name"
            value={column.name}
            onChange={(e) => update(index, { name: e.target.value })}
          />
          <select
            aria-label={`Column ${index + 1} type`}
            value={column.sql_type}
            onChange={(e) => update(index, { sql_type: e.target.value })}
          >
            {SQL_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="btn btn-small"
            aria-label={`Remove column ${index + 1}`}
            onClick={() => onChange(columns.filter((_, i) => i !== index))}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="btn btn-small" onClick={() => onChange([...columns, { ...EMPTY_COLUMN }])}>
        Add column
      </button>
    </fieldset>
  );
}
