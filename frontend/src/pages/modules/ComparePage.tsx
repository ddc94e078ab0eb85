import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { compareQueryKey, useCompareModules } from '../../api/hooks/useCompareModules';
import { useModules } from '../../api/hooks/useModules';
import { ErrorPanel } from '../../components/ErrorPanel';
import { groupBySection, parseComparePair, resultClass, resultCounts, swapComparison, visibleRows } from './compare';

const NO_FILTERS = {};

/** EMF's module comparison: every attribute side by side with MATCH / DIFFERENT / FIRST ONLY / SECOND ONLY. */
export function ComparePage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const { first, second } = parseComparePair(searchParams);
  const modules = useModules(NO_FILTERS);
  const comparison = useCompareModules(first, second);
  const [onlyDifferences, setOnlyDifferences] = useState(false);
  const queryClient = useQueryClient();
  const shown = comparison.data ?? null;

  const pick = (which: 'first' | 'second', value: string) => {
    const next = new URLSearchParams(searchParams);
    if (value) next.set(which, value);
    else next.delete(which);
    setSearchParams(next, { replace: true });
  };
  const swap = () => {
    if (first == null || second == null) return;
    // The URL says which module is first; the swapped table is known already, no need to wait for the server.
    if (shown) queryClient.setQueryData(compareQueryKey(second, first), swapComparison(shown));
    setSearchParams(new URLSearchParams({ first: String(second), second: String(first) }), { replace: true });
  };

  const rows = shown ? visibleRows(shown.rows, onlyDifferences) : [];
  const counts = shown ? resultCounts(shown.rows) : null;

  return (
    <div className="page mod-compare">
      <p className="mt-breadcrumb">
        <Link to="/modules">Modules</Link> /
      </p>
      <div className="page-header">
        <h1>Compare modules</h1>
      </div>
      <div className="ds-toolbar">
        <select aria-label="First module" value={first ?? ''} onChange={(e) => pick('first', e.target.value)}>
          <option value="">Choose the first module</option>
          {(modules.data ?? []).map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
        <button type="button" className="btn" onClick={swap} disabled={first == null || second == null}>
          Swap
        </button>
        <select aria-label="Second module" value={second ?? ''} onChange={(e) => pick('second', e.target.value)}>
          <option value="">Choose the second module</option>
          {(modules.data ?? []).map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
        <label className="ds-checkbox">
          <input type="checkbox" checked={onlyDifferences} onChange={(e) => setOnlyDifferences(e.target.checked)} />
          Show only differences
        </label>
      </div>

      {first == null || second == null ? (
        <p className="empty">Choose two modules to compare.</p>
      ) : comparison.isPending ? (
        <p className="muted">Comparing…</p>
      ) : comparison.isError || !shown ? (
        <ErrorPanel title="Could not compare the modules" error={comparison.error} onRetry={() => void comparison.refetch()} />
      ) : (
        <>
          {counts && (
            <p className="muted" data-testid="compare-counts">
              {counts.MATCH} MATCH · {counts.DIFFERENT} DIFFERENT · {counts['FIRST ONLY']} FIRST ONLY · {counts['SECOND ONLY']} SECOND ONLY
            </p>
          )}
          {rows.length === 0 ? (
            <p className="empty">The two modules do not differ.</p>
          ) : (
            <table className="table mod-compare-table" data-testid="compare-table">
              <thead>
                <tr>
                  <th scope="col">Attribute</th>
                  <th scope="col">
                    <Link to={`/modules/${shown.first.id}`}>{shown.first.name}</Link>
                  </th>
                  <th scope="col">
                    <Link to={`/modules/${shown.second.id}`}>{shown.second.name}</Link>
                  </th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              {groupBySection(rows).map(([section, list]) => (
                <tbody key={section}>
                  <tr className="mod-compare-section">
                    <th scope="rowgroup" colSpan={4}>
                      {section.charAt(0).toUpperCase() + section.slice(1)}
                    </th>
                  </tr>
                  {list.map((r) => (
                    <tr key={`${section}:${r.key}`} data-testid={`compare-row-${section}-${r.key}`}>
                      <th scope="row">{r.key}</th>
                      <td className="mono">{r.first ?? ''}</td>
                      <td className="mono">{r.second ?? ''}</td>
                      <td>
                        <span className={`badge ${resultClass(r.result)}`}>{r.result}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              ))}
            </table>
          )}
        </>
      )}
    </div>
  );
}
