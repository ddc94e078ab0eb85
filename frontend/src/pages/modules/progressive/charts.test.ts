import { describe, expect, it } from 'vitest';
import {
  extremumView,
  formatNumber,
  histogramOption,
  histogramView,
  quantilesView,
  statsRows,
  stepFigures,
  trendPoints,
} from './charts';
import { histogramResult } from './fixtures';

describe('progress figures', () => {
  it('rows done / total with %, rows/s and elapsed', () => {
    expect(stepFigures({ done: 250_000, total: 1_000_000, rate: 1_234_567.8, elapsed: 3.21 })).toEqual({
      rows: '250,000 / 1,000,000 rows (25 %)',
      percent: 25,
      rate: '1,234,568 rows/s',
      elapsed: '3.2 s',
    });
    expect(stepFigures({ done: 12, total: null })).toMatchObject({ rows: '12 rows', percent: null, rate: '', elapsed: '' });
    expect(stepFigures({ done: 0, total: 0 }).percent).toBe(100);
    expect(stepFigures({ done: 5, total: 4 }).percent).toBe(100);
    expect(stepFigures({ done: 0, total: null, elapsed: 75 }).elapsed).toBe('1 min 15 s');
  });
  it('formats numbers', () => {
    expect(formatNumber(null)).toBe('—');
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(0.123456789)).toBe('0.123457');
    expect(formatNumber(1.5e-7)).toBe('1.500e-7');
  });
});

describe('histogram', () => {
  it('one bar per bin with its range, the total in range and the outside counts', () => {
    const view = histogramView(histogramResult(4));
    expect(view).toMatchObject({ column: 'x', bins: 4, counts: [1, 2, 3, 4], total: 10, overflow: 2, nan: 1 });
    expect(view?.labels).toEqual(['[0, 25)', '[25, 50)', '[50, 75)', '[75, 100)']);
    const option = histogramOption(view!, false);
    expect(option.series[0].data).toHaveLength(4);
    expect(option.xAxis.data).toHaveLength(4);
    expect(histogramOption(view!, true).series[0].itemStyle.color).not.toBe(option.series[0].itemStyle.color);
  });
  it('draws nothing from a malformed result', () => {
    expect(histogramView({})).toBeNull();
    expect(histogramView({ edges: [0, 1], counts: [1, 2] })).toBeNull();
  });
});

describe('quantiles, min / max, stats', () => {
  it('a quantile curve sorted by q, skipping unknown values', () => {
    const view = quantilesView({ column: 'x', quantiles: [[0.9, 9], [0.1, 1], [0.5, null]], count: 10, exact: false, rank_error: 0.01 });
    expect(view).toEqual({ column: 'x', points: [[0.1, 1], [0.9, 9]], count: 10, exact: false, rankError: 0.01 });
  });
  it('the min / max value with the direction of its last change', () => {
    const trend = [
      { t: 0, values: { x: 5 } },
      { t: 1, values: { x: 7 } },
      { t: 2, values: { x: 9 } },
    ];
    expect(extremumView({ values: { x: 9, y: null } }, trend)).toEqual({ values: [['x', 9], ['y', null]], previous: 7, direction: 'up' });
    expect(extremumView({ values: { x: 5 } }, [])).toMatchObject({ previous: null, direction: null });
    expect(trendPoints(trend, 'x')).toEqual([[0, 5], [1, 7], [2, 9]]);
  });
  it('a stats row per column', () => {
    const rows = statsRows({ columns: { x: { count: 3, mean: 2, variance: 1, min: 1, max: 3 } } });
    expect(rows).toEqual([{ column: 'x', stats: { count: 3, mean: 2, variance: 1, min: 1, max: 3 } }]);
    expect(statsRows({})).toBeNull();
  });
});
