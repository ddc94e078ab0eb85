/** The Compare window's rows: filtering, swapping, grouping (pure). */
import type { CompareResult, CompareRow, ModuleComparison } from '../../api/types';

/**
 * `aggregation`: what waits for a process (docs/aggregation.md §5: `Process Pending`, `<path> / Runs Pending`,
 * `<path> / Rows`, `<path> / State Version`); `results`: a progressive run's final results, keys
 * `result.<path>.<key>` (docs/progressive.md).
 */
export const SECTIONS = ['summary', 'datasets', 'parameters', 'internal datasets', 'internal parameters', 'aggregation', 'results'] as const;

const SWAPPED: Record<CompareResult, CompareResult> = {
  MATCH: 'MATCH',
  DIFFERENT: 'DIFFERENT',
  'FIRST ONLY': 'SECOND ONLY',
  'SECOND ONLY': 'FIRST ONLY',
};

/** The same comparison with the two modules exchanged (FIRST ONLY ↔ SECOND ONLY). */
export function swapComparison(cmp: ModuleComparison): ModuleComparison {
  return {
    first: cmp.second,
    second: cmp.first,
    rows: cmp.rows.map((r) => ({ ...r, first: r.second, second: r.first, result: SWAPPED[r.result] })),
  };
}

export function visibleRows(rows: CompareRow[], onlyDifferences: boolean): CompareRow[] {
  return onlyDifferences ? rows.filter((r) => r.result !== 'MATCH') : rows;
}

/** Rows by section: the known sections in the EMF order first, then any other, none empty. */
export function groupBySection(rows: CompareRow[]): [string, CompareRow[]][] {
  const groups = new Map<string, CompareRow[]>();
  for (const row of rows) {
    const list = groups.get(row.section) ?? [];
    list.push(row);
    groups.set(row.section, list);
  }
  const known = SECTIONS.filter((s) => groups.has(s));
  const others = [...groups.keys()].filter((s) => !(SECTIONS as readonly string[]).includes(s));
  return [...known, ...others].map((s) => [s, groups.get(s)!]);
}

export function resultClass(result: CompareResult): string {
  return `mod-cmp-${result.toLowerCase().replace(' ', '-')}`;
}

/** Counts per result, for the summary line. */
export function resultCounts(rows: CompareRow[]): Record<CompareResult, number> {
  const counts: Record<CompareResult, number> = { MATCH: 0, DIFFERENT: 0, 'FIRST ONLY': 0, 'SECOND ONLY': 0 };
  for (const r of rows) counts[r.result] += 1;
  return counts;
}

/** `?first=&second=` → the two ids, or nulls. */
export function parseComparePair(search: URLSearchParams): { first: number | null; second: number | null } {
  const id = (v: string | null) => (v && /^\d+$/.test(v) ? Number(v) : null);
  return { first: id(search.get('first')), second: id(search.get('second')) };
}
