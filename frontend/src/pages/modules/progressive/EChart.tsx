import { useEffect, useRef } from 'react';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

// Only what the Run view draws (tree-shaken): bars and lines on a grid, SVG.
echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, SVGRenderer]);

interface Props {
  /** An ECharts option; drawn again (not merged) whenever it changes. */
  option: object;
  height?: number;
  label: string;
  testId?: string;
  /** Extra attributes for tests and screen readers (data-*). */
  data?: Record<string, string | number>;
}

/** How many data items the chart instance holds in its first series, as `data-drawn` (what is drawn, for tests). */
function markDrawn(el: HTMLDivElement | null, chart: echarts.ECharts | null) {
  if (!el || !chart) return;
  const series = (chart.getOption() as { series?: { data?: unknown[] }[] }).series;
  el.dataset.drawn = String(series?.[0]?.data?.length ?? 0);
}

/** A small ECharts wrapper: one chart per element, resized with it, disposed on unmount. */
export function EChart({ option, height = 240, label, testId, data = {} }: Props) {
  const element = useRef<HTMLDivElement | null>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  const latest = useRef(option);
  latest.current = option;

  useEffect(() => {
    const el = element.current;
    if (!el) return;
    // Made once the element has a size (not while hidden, nor without layout as in tests).
    const start = () => {
      if (chart.current || el.clientWidth === 0) return;
      try {
        chart.current = echarts.init(el, undefined, { renderer: 'svg' });
        chart.current.setOption(latest.current as echarts.EChartsCoreOption, { notMerge: true });
        markDrawn(el, chart.current);
      } catch {
        chart.current = null; // the figures beside the chart still say it
      }
    };
    start();
    const observer =
      typeof ResizeObserver !== 'undefined'
        ? new ResizeObserver(() => {
            start();
            chart.current?.resize();
          })
        : null;
    observer?.observe(el);
    return () => {
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    try {
      chart.current?.setOption(option as echarts.EChartsCoreOption, { notMerge: true, lazyUpdate: true });
      markDrawn(element.current, chart.current);
    } catch {
      // a chart that cannot draw leaves the figures beside it
    }
  }, [option]);

  const attributes = Object.fromEntries(Object.entries(data).map(([k, v]) => [`data-${k}`, String(v)]));
  return <div ref={element} className="prog-chart" style={{ height }} role="img" aria-label={label} data-testid={testId} {...attributes} />;
}
