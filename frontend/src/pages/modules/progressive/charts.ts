/**
 * Progressive results → what the Run view draws (pure): ECharts options for a histogram, a quantile
 * curve and a min / max trend, the rows of a stats table, and the progress figures of a step.
 * Results are shaped as docs/progressive.md's contract says; anything else draws nothing.
 */
import type { ColumnStats } from '../../../api/types';
import type { TrendPoint } from '../live';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A number for a table or a label: integers with separators, others with up to 4 significant digits. */
export function formatNumber(value: number | null | undefined): string {
  if (!isNum(value)) return '—';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e9 || abs < 1e-4)) return value.toExponential(3);
  return String(Number(value.toPrecision(6)));
}

export interface StepFigures {
  /** "12,345 / 1,000,000 rows (1 %)", "12,345 rows", or "". */
  rows: string;
  /** 0..100 (floored), null when the total is unknown. */
  percent: number | null;
  /** "250,000 rows/s" or "". */
  rate: string;
  /** "3.2 s" or "". */
  elapsed: string;
}

function seconds(s: number): string {
  if (s < 10) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  if (whole < 60) return `${whole} s`;
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}

export function stepFigures(step: { done: number; total: number | null; rate?: number | null; elapsed?: number | null }): StepFigures {
  const done = isNum(step.done) ? step.done : 0;
  const total = isNum(step.total) ? step.total : null;
  const percent = total ? Math.max(0, Math.min(100, Math.floor((done / total) * 100))) : total === 0 ? 100 : null;
  const rows =
    total !== null
      ? `${formatNumber(done)} / ${formatNumber(total)} rows (${percent} %)`
      : done
        ? `${formatNumber(done)} rows`
        : '';
  return {
    rows,
    percent,
    rate: isNum(step.rate) ? `${formatNumber(Math.round(step.rate))} rows/s` : '',
    elapsed: isNum(step.elapsed) ? seconds(step.elapsed) : '',
  };
}

// ------------------------------------------------------------------------------------ histogram

export interface HistogramView {
  column: string;
  bins: number;
  /** One label per bar: "[lo, hi)". */
  labels: string[];
  counts: number[];
  total: number;
  underflow: number;
  overflow: number;
  nan: number;
}

export function histogramView(result: Record<string, unknown>): HistogramView | null {
  const edges = Array.isArray(result.edges) ? (result.edges as unknown[]) : null;
  const counts = Array.isArray(result.counts) ? (result.counts as unknown[]) : null;
  if (!edges || !counts || edges.length !== counts.length + 1) return null;
  const labels = counts.map((_, i) => `[${formatNumber(edges[i] as number)}, ${formatNumber(edges[i + 1] as number)})`);
  const values = counts.map((c) => (isNum(c) ? c : 0));
  return {
    column: String(result.column ?? ''),
    bins: values.length,
    labels,
    counts: values,
    total: values.reduce((a, b) => a + b, 0),
    underflow: isNum(result.underflow) ? result.underflow : 0,
    overflow: isNum(result.overflow) ? result.overflow : 0,
    nan: isNum(result.nan) ? result.nan : 0,
  };
}

export function histogramOption(view: HistogramView, final: boolean) {
  return {
    animation: false,
    grid: { left: 64, right: 16, top: 28, bottom: 40 },
    tooltip: { trigger: 'axis' as const },
    xAxis: { type: 'category' as const, data: view.labels, axisLabel: { hideOverlap: true }, name: view.column, nameLocation: 'middle' as const, nameGap: 26 },
    yAxis: { type: 'value' as const, name: 'rows' },
    series: [
      {
        type: 'bar' as const,
        name: 'rows',
        data: view.counts,
        barCategoryGap: '8%',
        itemStyle: { color: final ? '#2f6fb3' : '#8fb4dc' },
      },
    ],
  };
}

// ------------------------------------------------------------------------------------ quantiles

export interface QuantilesView {
  column: string;
  points: [number, number][];
  count: number;
  exact: boolean;
  rankError: number;
}

export function quantilesView(result: Record<string, unknown>): QuantilesView | null {
  if (!Array.isArray(result.quantiles)) return null;
  const points = (result.quantiles as unknown[])
    .filter((p): p is [number, number] => Array.isArray(p) && isNum(p[0]) && isNum(p[1]))
    .map(([q, v]) => [q, v] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  return {
    column: String(result.column ?? ''),
    points,
    count: isNum(result.count) ? result.count : 0,
    exact: result.exact === true,
    rankError: isNum(result.rank_error) ? result.rank_error : 0,
  };
}

export function quantilesOption(view: QuantilesView, final: boolean) {
  return {
    animation: false,
    grid: { left: 64, right: 16, top: 28, bottom: 40 },
    tooltip: { trigger: 'axis' as const },
    xAxis: { type: 'value' as const, min: 0, max: 1, name: 'q', nameLocation: 'middle' as const, nameGap: 26 },
    yAxis: { type: 'value' as const, name: view.column, scale: true },
    series: [{ type: 'line' as const, data: view.points, symbolSize: 7, lineStyle: { type: final ? ('solid' as const) : ('dashed' as const) } }],
  };
}

// ------------------------------------------------------------------------------------ min / max

export interface ExtremumView {
  /** column → current value. */
  values: [string, number | null][];
  /** The first column's value before the current one (null: none yet). */
  previous: number | null;
  /** Direction of the last change of the first column. */
  direction: 'up' | 'down' | 'same' | null;
}

export function extremumView(result: Record<string, unknown>, trend: TrendPoint[] = []): ExtremumView | null {
  const values = result.values && typeof result.values === 'object' ? (result.values as Record<string, unknown>) : null;
  if (!values) return null;
  const entries = Object.entries(values).map(([c, v]) => [c, isNum(v) ? v : null] as [string, number | null]);
  const first = entries[0];
  let previous: number | null = null;
  if (first) {
    for (let i = trend.length - 1; i >= 0; i -= 1) {
      const v = trend[i].values[first[0]];
      if (isNum(v) && v !== first[1]) {
        previous = v;
        break;
      }
    }
  }
  const current = first?.[1] ?? null;
  const direction = previous === null || current === null ? null : current > previous ? 'up' : current < previous ? 'down' : 'same';
  return { values: entries, previous, direction };
}

/** The trend of the first column as [seconds, value] points. */
export function trendPoints(trend: TrendPoint[], column: string): [number, number][] {
  if (trend.length === 0) return [];
  const t0 = trend[0].t;
  const out: [number, number][] = [];
  for (const p of trend) {
    const v = p.values[column];
    if (isNum(v)) out.push([Math.round((p.t - t0) * 100) / 100, v]);
  }
  return out;
}

export function trendOption(points: [number, number][], column: string, final: boolean) {
  return {
    animation: false,
    grid: { left: 64, right: 16, top: 28, bottom: 32 },
    tooltip: { trigger: 'axis' as const },
    xAxis: { type: 'value' as const, name: 's', nameLocation: 'middle' as const, nameGap: 20 },
    yAxis: { type: 'value' as const, name: column, scale: true },
    series: [{ type: 'line' as const, step: 'end' as const, data: points, symbolSize: 4, lineStyle: { type: final ? ('solid' as const) : ('dashed' as const) } }],
  };
}

// ------------------------------------------------------------------------------------ stats

export function statsRows(result: Record<string, unknown>): { column: string; stats: ColumnStats }[] | null {
  const columns = result.columns && typeof result.columns === 'object' ? (result.columns as Record<string, Partial<ColumnStats>>) : null;
  if (!columns) return null;
  return Object.entries(columns).map(([column, s]) => ({
    column,
    stats: {
      count: isNum(s?.count) ? s.count : null,
      mean: isNum(s?.mean) ? s.mean : null,
      variance: isNum(s?.variance) ? s.variance : null,
      min: isNum(s?.min) ? s.min : null,
      max: isNum(s?.max) ? s.max : null,
    },
  }));
}
