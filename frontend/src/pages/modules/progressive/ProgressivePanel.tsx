import { lazy, Suspense, useMemo, type ComponentProps } from 'react';
import type { PartialLive, TrendPoint } from '../live';
import {
  extremumView,
  formatNumber,
  histogramOption,
  histogramView,
  quantilesOption,
  quantilesView,
  statsRows,
  trendOption,
  trendPoints,
} from './charts';
import type { EChart as EChartComponent } from './EChart';

// ECharts is loaded with the first chart drawn (its own chunk), not with the app.
const LazyEChart = lazy(() => import('./EChart').then((m) => ({ default: m.EChart })));

function EChart(props: ComponentProps<typeof EChartComponent>) {
  const { height = 240, label, testId, data = {} } = props;
  const attributes = Object.fromEntries(Object.entries(data).map(([k, v]) => [`data-${k}`, String(v)]));
  return (
    <Suspense fallback={<div className="prog-chart" style={{ height }} role="img" aria-label={label} data-testid={testId} {...attributes} />}>
      <LazyEChart {...props} />
    </Suspense>
  );
}

interface Props {
  path: string;
  partial: PartialLive;
  trend?: TrendPoint[];
  /** Partial results drawn so far on this page. */
  partials: number;
  /** The run has ended (a result that is not final then stays provisional: the run did not succeed). */
  ended: boolean;
}

/** A progressive submodule's partial result: a chart (or table) by kind, provisional until final. */
export function ProgressivePanel({ path, partial, trend, partials, ended }: Props) {
  const final = partial.final;
  return (
    <div
      className={`prog-panel${final ? ' prog-final' : ''}`}
      data-testid={`partial-${path || 'module'}`}
      data-kind={partial.kind}
      data-final={final ? 'true' : 'false'}
      data-partials={partials}
    >
      <div className="prog-panel-head">
        {final ? (
          <span className="badge badge-ok" data-testid="partial-mark">
            final
          </span>
        ) : (
          <span className="badge badge-warn prog-provisional" data-testid="partial-mark" title="A partial result: it changes until the run ends">
            provisional
          </span>
        )}
        {!final && ended && <span className="muted">the run did not succeed: this is the last partial result</span>}
      </div>
      <PartialBody path={path} partial={partial} trend={trend ?? []} partials={partials} />
    </div>
  );
}

function PartialBody({ path, partial, trend, partials }: { path: string; partial: PartialLive; trend: TrendPoint[]; partials: number }) {
  const { kind, result, final } = partial;
  switch (kind) {
    case 'histogram':
      return <HistogramPart path={path} result={result} final={final} partials={partials} />;
    case 'quantiles':
      return <QuantilesPart path={path} result={result} final={final} partials={partials} />;
    case 'min':
    case 'max':
      return <ExtremumPart path={path} kind={kind} result={result} final={final} trend={trend} />;
    case 'stats':
      return <StatsPart result={result} />;
    case 'scan':
    case 'filter':
      return (
        <p className="prog-rows">
          {kind === 'scan' ? 'Rows read' : 'Rows passed'}: <strong data-testid="partial-rows">{formatNumber(result.rows as number)}</strong>
        </p>
      );
    default:
      return <pre className="mono">{JSON.stringify(result)}</pre>;
  }
}

function HistogramPart({ path, result, final, partials }: { path: string; result: Record<string, unknown>; final: boolean; partials: number }) {
  const view = useMemo(() => histogramView(result), [result]);
  const option = useMemo(() => (view ? histogramOption(view, final) : null), [view, final]);
  if (!view || !option) return <p className="muted">No histogram yet.</p>;
  return (
    <>
      <EChart
        option={option}
        label={`Histogram of ${view.column}: ${view.bins} bars, ${view.total} rows`}
        testId="histogram-chart"
        data={{ bars: view.bins, rows: view.total, draw: partials, path }}
      />
      <p className="muted prog-figures">
        <span data-testid="histogram-bins">{view.bins} bins</span> · {formatNumber(view.total)} rows in range · below{' '}
        {formatNumber(view.underflow)} · above {formatNumber(view.overflow)} · NULL/NaN {formatNumber(view.nan)}
      </p>
    </>
  );
}

function QuantilesPart({ path, result, final, partials }: { path: string; result: Record<string, unknown>; final: boolean; partials: number }) {
  const view = useMemo(() => quantilesView(result), [result]);
  const option = useMemo(() => (view ? quantilesOption(view, final) : null), [view, final]);
  if (!view || !option) return <p className="muted">No quantiles yet.</p>;
  return (
    <div className="prog-split">
      <EChart option={option} label={`Quantile curve of ${view.column}`} testId="quantiles-chart" data={{ points: view.points.length, draw: partials, path }} />
      <table className="table ds-table-compact" data-testid="quantiles-table">
        <thead>
          <tr>
            <th scope="col">q</th>
            <th scope="col">{view.column}</th>
          </tr>
        </thead>
        <tbody>
          {view.points.map(([q, v]) => (
            <tr key={q}>
              <td>{q}</td>
              <td className="mono">{formatNumber(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        {formatNumber(view.count)} values · {view.exact ? 'exact' : `rank error ≤ ${formatNumber(view.rankError)}`}
      </p>
    </div>
  );
}

const ARROWS = { up: '▲', down: '▼', same: '=' } as const;

function ExtremumPart({ path, kind, result, final, trend }: { path: string; kind: string; result: Record<string, unknown>; final: boolean; trend: TrendPoint[] }) {
  const view = useMemo(() => extremumView(result, trend), [result, trend]);
  const column = view?.values[0]?.[0] ?? '';
  const points = useMemo(() => trendPoints(trend, column), [trend, column]);
  const option = useMemo(() => trendOption(points, column, final), [points, column, final]);
  if (!view) return <p className="muted">No value yet.</p>;
  return (
    <div className="prog-split">
      <table className="table ds-table-compact" data-testid="extremum-table">
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">{kind}</th>
          </tr>
        </thead>
        <tbody>
          {view.values.map(([c, v], i) => (
            <tr key={c}>
              <td>{c}</td>
              <td className="mono">
                {formatNumber(v)}{' '}
                {i === 0 && view.direction && (
                  <span className="muted" data-testid="extremum-trend" title={`was ${formatNumber(view.previous)}`}>
                    {ARROWS[view.direction]} from {formatNumber(view.previous)}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {points.length > 1 && (
        <EChart option={option} height={160} label={`Trend of the ${kind} of ${column} on this page`} testId="trend-chart" data={{ points: points.length, path }} />
      )}
    </div>
  );
}

function StatsPart({ result }: { result: Record<string, unknown> }) {
  const rows = statsRows(result);
  if (!rows) return <p className="muted">No statistics yet.</p>;
  return (
    <table className="table ds-table-compact" data-testid="stats-table">
      <thead>
        <tr>
          <th scope="col">Column</th>
          <th scope="col">count</th>
          <th scope="col">mean</th>
          <th scope="col">variance</th>
          <th scope="col">min</th>
          <th scope="col">max</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ column, stats }) => (
          <tr key={column}>
            <td>{column}</td>
            <td className="mono">{formatNumber(stats.count)}</td>
            <td className="mono">{formatNumber(stats.mean)}</td>
            <td className="mono">{formatNumber(stats.variance)}</td>
            <td className="mono">{formatNumber(stats.min)}</td>
            <td className="mono">{formatNumber(stats.max)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
