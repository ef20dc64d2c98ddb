import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export const PALETTE = ['#4f46e5', '#0ea5e9', '#16a34a', '#f59e0b', '#db2777', '#7c3aed', '#64748b'];

export interface ChartSeries {
  label: string;
  values: number[];
}

/**
 * A stacked-looking line chart of counts over time (uPlot), as wide as its container. `x` is unix
 * seconds. The numbers are also in the tables next to it, so the canvas is hidden from screen readers
 * and described by its title.
 */
export function TimeChart({ title, x, series, height = 240, step }: { title: string; x: number[]; series: ChartSeries[]; height?: number; step: 'hour' | 'day' }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [
        { stroke: '#5b6472', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e3e6eb' } },
        { stroke: '#5b6472', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e3e6eb' }, size: 56, values: (_u, v) => v.map((n) => (n >= 1000 ? `${+(n / 1000).toFixed(1)}k` : String(n))) },
      ],
      series: [
        { label: step === 'hour' ? 'Hour' : 'Day', value: (_u, v) => (v == null ? '—' : new Date(v * 1000).toLocaleString('en', step === 'hour' ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' })) },
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
  }, [x, series, height, step]);
  return (
    <figure className="chart-figure">
      <figcaption className="sr-only">{title}</figcaption>
      <div ref={box} className="chart" aria-hidden="true" />
    </figure>
  );
}
