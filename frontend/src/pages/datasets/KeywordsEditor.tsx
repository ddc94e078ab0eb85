import type { KeywordRow } from './keywords';

interface Props {
  rows: KeywordRow[];
  onChange: (rows: KeywordRow[]) => void;
}

/** Keyword rows (name → value) with add/remove. */
export function KeywordsEditor({ rows, onChange }: Props) {
  const update = (index: number, patch: Partial<KeywordRow>) =>
    onChange(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <fieldset className="ds-rows-editor">
      <legend>Keywords</legend>
      {rows.length === 0 && <p className="muted">No keywords.</p>}
      {rows.map((row, index) => (
        <div className="ds-rows-editor-row" key={index}>
          <input
            aria-label={`Keyword ${index + 1} name`}
            placeholder="NAME"
            value={row.key}
            onChange={(e) => update(index, { key: e.target.value })}
          />
          <input
            className="ds-grow"
            aria-label={`Keyword ${index + 1} value`}
            placeholder="value"
            value={row.value}
            onChange={(e) => update(index, { value: e.target.value })}
          />
          <button
            type="button"
            className="btn btn-small"
            aria-label={`Remove keyword ${index + 1}`}
            onClick={() => onChange(rows.filter((_, i) => i !== index))}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="btn btn-small" onClick={() => onChange([...rows, { key: '', value: '' }])}>
        Add keyword
      </button>
    </fieldset>
  );
}
