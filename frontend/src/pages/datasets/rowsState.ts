/**
 * The row viewer's state as pure functions: keyset paging with a stack of cursors, sort cycling,
 * the per-column filter bar, and the "rows X–Y of N" label.
 */
import type { FilterOp, RowFilter } from '../../api/types';
import { serializeFilter } from '../../api/hooks/useDatasetRows';

export const PAGE_SIZE = 100;

// ---------------------------------------------------------------- paging

/**
 * `after` is the cursor that produced the current page (null on the first). `previous` holds the
 * cursors of the pages before it, oldest first, so "Previous" pops and "First" clears.
 */
export interface CursorStack {
  previous: (string | null)[];
  after: string | null;
}

export const FIRST_PAGE: CursorStack = { previous: [], after: null };

export function nextPage(stack: CursorStack, next: string): CursorStack {
  return { previous: [...stack.previous, stack.after], after: next };
}

export function previousPage(stack: CursorStack): CursorStack {
  if (stack.previous.length === 0) return FIRST_PAGE;
  return { previous: stack.previous.slice(0, -1), after: stack.previous[stack.previous.length - 1] ?? null };
}

/** 0-based page index. */
export function pageIndex(stack: CursorStack): number {
  return stack.previous.length;
}

/** "rows 101–200 of 2,500"; with filters the total is the version's, so it says so. */
export function rangeLabel(args: {
  page: number;
  pageSize: number;
  rowsOnPage: number;
  total: number;
  filtered: boolean;
}): string {
  const { page, pageSize, rowsOnPage, total, filtered } = args;
  const fmt = (n: number) => n.toLocaleString('en-US');
  if (rowsOnPage === 0) return filtered ? 'No rows match the filters' : 'No rows';
  const first = page * pageSize + 1;
  const last = first + rowsOnPage - 1;
  if (filtered) return `rows ${fmt(first)}–${fmt(last)} matching the filters (${fmt(total)} in this version)`;
  return `rows ${fmt(first)}–${fmt(last)} of ${fmt(total)}`;
}

// ---------------------------------------------------------------- sorting

export interface SortState {
  sort: string;
  order: 'asc' | 'desc';
}

export const DEFAULT_SORT: SortState = { sort: 'record_id', order: 'asc' };

/** A click on a column header: ascending → descending → back to record order. */
export function cycleSort(current: SortState, column: string): SortState {
  if (current.sort !== column) return { sort: column, order: 'asc' };
  if (current.order === 'asc') return { sort: column, order: 'desc' };
  if (column === 'record_id') return DEFAULT_SORT;
  return DEFAULT_SORT;
}

/** `aria-sort` of a header. */
export function ariaSort(current: SortState, column: string): 'ascending' | 'descending' | 'none' {
  if (current.sort !== column) return 'none';
  return current.order === 'asc' ? 'ascending' : 'descending';
}

// ---------------------------------------------------------------- filters

export const FILTER_OPERATORS: { op: FilterOp; label: string }[] = [
  { op: 'eq', label: '=' },
  { op: 'ne', label: '≠' },
  { op: 'lt', label: '<' },
  { op: 'le', label: '≤' },
  { op: 'gt', label: '>' },
  { op: 'ge', label: '≥' },
  { op: 'contains', label: 'contains' },
  { op: 'is_null', label: 'is empty' },
];

/** What the user typed in one column's filter cell; op '' = no filter on that column. */
export interface FilterDraft {
  op: FilterOp | '';
  value: string;
}

export type FilterDrafts = Record<string, FilterDraft>;

/** The filters to send: columns with an operator, and a value unless the operator needs none. */
export function filtersFromDrafts(drafts: FilterDrafts, columnOrder: string[]): RowFilter[] {
  const out: RowFilter[] = [];
  for (const column of columnOrder) {
    const draft = drafts[column];
    if (!draft || !draft.op) continue;
    if (draft.op === 'is_null') {
      out.push({ column, op: 'is_null', value: '' });
      continue;
    }
    if (draft.value === '') continue;
    out.push({ column, op: draft.op, value: draft.value });
  }
  return out;
}

export function sameFilters(a: RowFilter[], b: RowFilter[]): boolean {
  return a.length === b.length && a.every((f, i) => f.column === b[i].column && f.op === b[i].op && f.value === b[i].value);
}

// ---------------------------------------------------------------- export

/**
 * The CSV export of what the viewer shows: the version's rows matching the active filters, in the
 * active order (every page, not only the one on screen). Without filters or sort: the whole version.
 */
export function exportUrl(datasetId: number, version: number, sort: SortState, filters: RowFilter[]): string {
  const params = new URLSearchParams({ version: String(version) });
  if (sort.sort !== DEFAULT_SORT.sort || sort.order !== DEFAULT_SORT.order) {
    params.set('sort', sort.sort);
    params.set('order', sort.order);
  }
  for (const f of filters) params.append('filter', serializeFilter(f));
  return `/api/datasets/${datasetId}/export?${params.toString()}`;
}

/** What the export button will export, in words. */
export function exportScope(sort: SortState, filters: RowFilter[]): string {
  const sorted = sort.sort !== DEFAULT_SORT.sort || sort.order !== DEFAULT_SORT.order;
  if (filters.length && sorted) return 'Exports the rows matching the filters, in the order shown.';
  if (filters.length) return 'Exports the rows matching the filters.';
  if (sorted) return 'Exports the whole version, in the order shown.';
  return 'Exports the whole version.';
}
