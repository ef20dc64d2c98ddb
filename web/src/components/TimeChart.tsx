import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const PALETTE = ['#4f46e5', '#0ea5e9', '#16a34a', '#f59e0b', '#db2777', '#7c3aed', '#64748b'];

export interface ChartSeries {
  label: string;
  values: number[];
}

/** A colour of the current theme (light or dark), from the stylesheet's custom properties. */
const themeColor = (name: string, fallback: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/**
 * A stacked-looking line chart of counts over time (uPlot), as wide as its container. `x` is unix
 * seconds; `range` ([from, to], unix seconds) pins the x-axis to the period asked for, whatever the
 * data. The numbers are also in the tables next to it, so the canvas is hidden from screen readers
 * and described by its title.
 */
export function TimeChart({
  title,
  x,
  series,
  height = 240,
  step,
  range,
}: {
  title: string;
  x: number[];
  series: ChartSeries[];
  height?: number;
  step: 'hour' | 'day';
  range?: [number, number];
}) {
  const box = useRef<HTMLDivElement>(null);
  const [from, to] = range ?? [];
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const muted = themeColor('--muted', '#5b6472');
    const grid = themeColor('--grid', '#eef0f3');
    const border = themeColor('--border', '#e3e6eb');
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height,
      legend: { show: true, live: true },
      // The drawn x range, on the element: readable by people inspecting the page and by the e2e test.
      hooks: {
        draw: [
          (u) => {
            el.dataset.xMin = String(u.scales.x.min);
            el.dataset.xMax = String(u.scales.x.max);
          },
        ],
      },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, ...(from !== undefined && to !== undefined ? { range: (): uPlot.Range.MinMax => [from, to] } : {}) },
        y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
      },
      axes: [
        { stroke: muted, grid: { stroke: grid }, ticks: { stroke: border } },
        {
          stroke: muted,
          grid: { stroke: grid },
          ticks: { stroke: border },
          size: 56,
          values: (_u, v) => v.map((n) => (n >= 1000 ? `${+(n / 1000).toFixed(1)}k` : String(n))),
        },
      ],
      series: [
        {
          label: step === 'hour' ? 'Hour' : 'Day',
          value: (_u, v) =>
            v == null ? '—' : new Date(v * 1000).toLocaleString('en', step === 'hour' ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' }),
        },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: PALETTE[i % PALETTE.length],
          fill: `${PALETTE[i % PALETTE.length]}14`,
          width: 2,
          points: { show: x.length < 40 },
        })),
      ],
    };
    const plot = new uPlot(opts, [x, ...series.map((s) => s.values)], el);
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [x, series, height, step, from, to]);
  return (
    <figure className="chart-figure">
      <figcaption className="sr-only">{title}</figcaption>
      <div ref={box} className="chart" aria-hidden="true" />
    </figure>
  );
}
