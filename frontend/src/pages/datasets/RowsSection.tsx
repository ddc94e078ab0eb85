import { useMemo, useState } from 'react';
import { useDatasetRows } from '../../api/hooks/useDatasetRows';
import type { DatasetColumn, DatasetVersion, RowFilter, RowsQuery } from '../../api/types';
import { errorMessage } from '../../components/ErrorPanel';
import { RowsGrid } from './RowsGrid';
import {
  cycleSort,
  DEFAULT_SORT,
  exportScope,
  exportUrl,
  filtersFromDrafts,
  FIRST_PAGE,
  nextPage,
  PAGE_SIZE,
  pageIndex,
  previousPage,
  rangeLabel,
  sameFilters,
  type CursorStack,
  type FilterDraft,
  type FilterDrafts,
  type SortState,
} from './rowsState';

interface Props {
  datasetId: number;
  columns: DatasetColumn[];
  versions: DatasetVersion[];
  /** The version shown (null: none yet). */
  version: number | null;
  onVersionChange: (number: number) => void;
}

export function RowsSection({ datasetId, columns, versions, version, onVersionChange }: Props) {
  return (
    <section className="panel" aria-labelledby="rows-heading">
      <div className="panel-title-row">
        <h2 id="rows-heading">Rows</h2>
        {versions.length > 0 && version !== null && (
          <>
            <label className="ds-inline-field">
              Version
              <select aria-label="Version" value={version} onChange={(e) => onVersionChange(Number(e.target.value))}>
                {[...versions].reverse().map((v) => (
                  <option key={v.number} value={v.number}>
                    {v.number} — {v.name}
                    {v.is_final ? ' (final)' : ''}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
      </div>
      {version === null ? (
        <p className="empty">No versions yet, so no rows. Import a CSV first.</p>
      ) : (
        // A new version starts from the first page, unsorted and unfiltered.
        <RowViewer key={version} datasetId={datasetId} columns={columns} version={version} />
      )}
    </section>
  );
}

function RowViewer({ datasetId, columns, version }: { datasetId: number; columns: DatasetColumn[]; version: number }) {
  const [sort, setSort] = useState<SortState>(DEFAULT_SORT);
  const [cursor, setCursor] = useState<CursorStack>(FIRST_PAGE);
  const [drafts, setDrafts] = useState<FilterDrafts>({});
  const [filters, setFilters] = useState<RowFilter[]>([]);
  const columnNames = useMemo(() => columns.map((c) => c.name), [columns]);

  const query: RowsQuery = { version, limit: PAGE_SIZE, after: cursor.after, sort: sort.sort, order: sort.order, filters };
  const rows = useDatasetRows(datasetId, query);
  const page = rows.data;
  const showing = rows.isError ? null : page;

  const applyFilters = (next: FilterDrafts = drafts) => {
    const wanted = filtersFromDrafts(next, columnNames);
    if (sameFilters(wanted, filters)) return;
    setFilters(wanted);
    setCursor(FIRST_PAGE);
  };
  const onDraftChange = (column: string, draft: FilterDraft, applyNow: boolean) => {
    const next = { ...drafts, [column]: draft };
    setDrafts(next);
    if (applyNow) applyFilters(next);
  };
  const clearFilters = () => {
    setDrafts({});
    applyFilters({});
  };
  const onSort = (column: string) => {
    setSort(cycleSort(sort, column));
    setCursor(FIRST_PAGE);
  };

  const index = pageIndex(cursor);
  const label = showing
    ? rangeLabel({
        page: index,
        pageSize: PAGE_SIZE,
        rowsOnPage: showing.rows.length,
        total: showing.row_count,
        filtered: filters.length > 0,
      })
    : '';

  return (
    <div className="ds-row-viewer">
      <div className="ds-toolbar">
        <span className="ds-range" data-testid="rows-range" aria-live="polite">
          {rows.isPending ? 'Loading…' : label}
        </span>
        <div className="ds-toolbar-spacer" />
        <a
          className="btn btn-small"
          href={exportUrl(datasetId, version, sort, filters)}
          download
          title={exportScope(sort, filters)}
          aria-describedby="rows-export-scope"
        >
          Export CSV
        </a>
        <span className="muted ds-export-scope" id="rows-export-scope" data-testid="export-scope">
          {exportScope(sort, filters)}
        </span>
        <button type="button" className="btn btn-small" onClick={() => applyFilters()}>
          Apply filters
        </button>
        <button type="button" className="btn btn-small" onClick={clearFilters} disabled={Object.keys(drafts).length === 0}>
          Clear filters
        </button>
        <button type="button" className="btn btn-small" onClick={() => setCursor(FIRST_PAGE)} disabled={index === 0}>
          First page
        </button>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => setCursor(previousPage(cursor))}
          disabled={index === 0}
        >
          Previous page
        </button>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => page?.next && setCursor(nextPage(cursor, page.next))}
          disabled={!showing?.next || rows.isPlaceholderData}
        >
          Next page
        </button>
      </div>
      {rows.isError && (
        <div className="form-error" role="alert" data-testid="rows-error">
          {errorMessage(rows.error)}
        </div>
      )}
      <RowsGrid
        columns={columns}
        rows={showing?.rows ?? []}
        sort={sort}
        onSort={onSort}
        drafts={drafts}
        onDraftChange={onDraftChange}
        onApply={() => applyFilters()}
        busy={rows.isFetching}
      />
      {showing && showing.rows.length === 0 && (
        <p className="empty">{filters.length ? 'No rows match the filters.' : 'This version has no rows.'}</p>
      )}
    </div>
  );
}
