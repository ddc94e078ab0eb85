import type { CellValue, DatasetColumn } from '../../api/types';
import { ariaSort, FILTER_OPERATORS, type FilterDraft, type FilterDrafts, type SortState } from './rowsState';

const NUMERIC = new Set(['integer', 'bigint', 'double precision', 'numeric']);

interface Props {
  columns: DatasetColumn[];
  rows: CellValue[][];
  sort: SortState;
  onSort: (column: string) => void;
  drafts: FilterDrafts;
  onDraftChange: (column: string, draft: FilterDraft, applyNow: boolean) => void;
  onApply: () => void;
  busy?: boolean;
}

function Cell({ value }: { value: CellValue }) {
  if (value === null || value === undefined) return <span className="ds-null">NULL</span>;
  if (typeof value === 'boolean') return <>{value ? 'true' : 'false'}</>;
  return <>{String(value)}</>;
}

function SortButton({ column, sort, onSort }: { column: string; sort: SortState; onSort: (c: string) => void }) {
  const state = ariaSort(sort, column);
  return (
    <button type="button" className="ds-sort-btn" onClick={() => onSort(column)}>
      {column}
      <span className="ds-sort-indicator" aria-hidden="true">
        {state === 'ascending' ? ' ▲' : state === 'descending' ? ' ▼' : ''}
      </span>
    </button>
  );
}

/** The row viewer's grid: sortable headers, a filter cell per column, NULL shown as a muted "NULL". */
export function RowsGrid({ columns, rows, sort, onSort, drafts, onDraftChange, onApply, busy }: Props) {
  return (
    <div className="ds-grid-scroll">
      <table className="table ds-grid" aria-busy={busy || undefined} data-testid="rows-grid">
        <thead>
          <tr>
            <th scope="col" className="num" aria-sort={ariaSort(sort, 'record_id')}>
              <SortButton column="record_id" sort={sort} onSort={onSort} />
            </th>
            {columns.map((c) => (
              <th
                key={c.name}
                scope="col"
                className={NUMERIC.has(c.sql_type) ? 'num' : undefined}
                aria-sort={ariaSort(sort, c.name)}
                title={c.sql_type}
              >
                <SortButton column={c.name} sort={sort} onSort={onSort} />
              </th>
            ))}
          </tr>
          <tr className="ds-filter-row">
            <td />
            {columns.map((c) => {
              const draft = drafts[c.name] ?? { op: '', value: '' };
              return (
                <td key={c.name}>
                  <div className="ds-filter-cell">
                    <select
                      aria-label={`Filter operator for ${c.name}`}
                      value={draft.op}
                      onChange={(e) => {
                        const op = e.target.value as FilterDraft['op'];
                        onDraftChange(c.name, { ...draft, op }, op === '' || op === 'is_null' || draft.value !== '');
                      }}
                    >
                      <option value="">—</option>
                      {FILTER_OPERATORS.map((o) => (
                        <option key={o.op} value={o.op}>
                          {o.label}
                        </option>
                      ))}
                    </select>
                    <input
                      aria-label={`Filter value for ${c.name}`}
                      value={draft.value}
                      disabled={draft.op === 'is_null' || draft.op === ''}
                      onChange={(e) => onDraftChange(c.name, { ...draft, value: e.target.value }, false)}
                      onKeyDown={(e) => {
                        if (e.key === 'Enter') onApply();
                      }}
                    />
                  </div>
                </td>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={String(row[0])}>
              {row.map((value, i) => {
                const numeric = i === 0 || NUMERIC.has(columns[i - 1]?.sql_type ?? '');
                return (
                  <td key={i} className={numeric ? 'num' : undefined}>
                    <Cell value={value} />
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
