// Line and bar charts on uPlot, which draws hundreds of thousands of points without slowing down.

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface SeriesSpec {
  label: string;
  color: string;
  unit?: string;
  dash?: number[];
  show?: boolean;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

function axis(unit: string): uPlot.Axis {
  return {
    stroke: cssVar("--muted"),
    grid: { stroke: cssVar("--grid"), width: 1 },
    ticks: { stroke: cssVar("--grid"), width: 1 },
    values: (_u, values) => values.map((v) => (v === null ? "" : `${+v.toPrecision(4)}${unit}`)),
    size: 64,
  };
}

/** One uPlot chart in a <figure>, drawn again from scratch whenever its data or the theme change. */
abstract class Chart {
  readonly element: HTMLElement;
  protected plot: uPlot | null = null;

  constructor(
    name: string,
    protected readonly height: number,
  ) {
    this.element = document.createElement("figure");
    this.element.className = "chart";
    this.element.dataset.chart = name;
  }

  protected render(options: Omit<uPlot.Options, "width" | "height">, data: uPlot.AlignedData): void {
    this.plot?.destroy();
    const width = Math.max(this.element.clientWidth, 300);
    this.plot = new uPlot({ ...options, width, height: this.height }, data, this.element);
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = null;
  }
}

/** A time-series chart whose x values are epoch seconds. */
export class LineChart extends Chart {
  private data: (number | null)[][];
  private readonly observer: ResizeObserver;

  /** Called with the span (epoch s) a person drags across the chart, if set. */
  onSelect: ((from: number, to: number) => void) | null = null;

  constructor(
    readonly title: string,
    private readonly series: SeriesSpec[],
    private readonly unit = "",
    height = 220,
  ) {
    super(title, height);
    const caption = document.createElement("figcaption");
    caption.textContent = title;
    this.element.append(caption);
    this.data = [[], ...series.map(() => [])];
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(this.element);
  }

  /** Replace every point (x first, then one array per series; null where a value is missing). */
  setData(data: (number | null)[][]): void {
    this.data = data;
    this.element.dataset.points = String(data[0].length);
    this.draw();
  }

  append(x: number, values: number[]): void {
    this.data[0].push(x);
    values.forEach((value, i) => this.data[i + 1].push(value));
    this.element.dataset.points = String(this.data[0].length);
    this.plot?.setData(this.data as uPlot.AlignedData);
  }

  get points(): number {
    return this.data[0].length;
  }

  setVisible(index: number, show: boolean): void {
    this.series[index].show = show;
    this.plot?.setSeries(index + 1, { show });
  }

  /** Rebuild with the current theme's colours. */
  draw(): void {
    this.render(
      {
        cursor: { drag: { x: true, y: false, setScale: !this.onSelect } },
        hooks: {
          setSelect: [
            (u: uPlot) => {
              if (!this.onSelect || u.select.width < 2) return;
              const from = u.posToVal(u.select.left, "x");
              const to = u.posToVal(u.select.left + u.select.width, "x");
              this.onSelect(from, to);
            },
          ],
        },
        legend: { live: true },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] } },
        axes: [
          { stroke: cssVar("--muted"), grid: { stroke: cssVar("--grid"), width: 1 }, ticks: { show: false } },
          axis(this.unit),
        ],
        series: [
          {},
          ...this.series.map((s) => ({
            label: s.label,
            stroke: s.color.startsWith("--") ? cssVar(s.color) : s.color,
            width: 1.5,
            dash: s.dash,
            show: s.show ?? true,
            value: (_u: uPlot, v: number | null) => (v === null ? "–" : `${+v.toPrecision(4)}${s.unit ?? this.unit}`),
          })),
        ],
      },
      this.data as uPlot.AlignedData,
    );
  }

  private resize(): void {
    if (!this.plot) return;
    const width = Math.max(this.element.clientWidth, 300);
    if (Math.abs(width - this.plot.width) > 2) this.plot.setSize({ width, height: this.height });
  }

  destroy(): void {
    this.observer.disconnect();
    super.destroy();
  }
}

/**
 * Bounds a logarithmic axis can take. uPlot 1.6.32 places a log axis's ticks in a loop
 * (logAxisSplits) that never ends, and throws "RangeError: Invalid array length" once its array
 * is full, when the minimum is not a positive finite number, when the maximum is infinite, and
 * when the minimum lies just under a power of ten below 0.1 (0.095 to 0.1, 0.0095 to 0.01…): its
 * first step then lands past that power, and every step after it rounds back to 0 (uPlot issue
 * #1098). The last one is what a run met whose fastest request took about 0.11 ms: the padded
 * minimum, 0.11 / 1.15, is 0.097. So the bounds are made finite, positive and ordered (the
 * minimum 1e-6 ms or more: the loop also stalls under 1e-32), and a minimum of 9.x times a power
 * of ten is moved down to 9 times it.
 */
function logRange(min: number, max: number): [number, number] {
  let low = min > 0 ? Math.min(Math.max(min, 1e-6), 1e300) : 0.001;
  const high = max > low ? Math.min(max, Number.MAX_VALUE) : low * 10;
  const power = 10 ** Math.floor(Math.log10(low));
  if (low / power > 9) low = 9 * power;
  return [low, high];
}

/** The latency distribution: counts per histogram bucket (a logarithmic axis for a wide range). */
export class DistributionChart extends Chart {
  constructor(height = 220) {
    super("distribution", height);
  }

  show(buckets: [number, number, number][]): void {
    // Each bucket at its middle, none under 0.001 ms; a middle or count that is not a finite
    // number (NaN, or edges that overflow when added) would reach the axis's range: left out.
    const points = buckets.map(([low, high, n]) => [Math.max((low + high) / 2, 0.001), n]).filter(([x, n]) => Number.isFinite(x) && Number.isFinite(n));
    const xs = points.map(([x]) => x);
    const ys = points.map(([, n]) => n);
    const logarithmic = xs.length > 0 && xs[xs.length - 1] / xs[0] > 20;
    this.render(
      {
        // A logarithmic time axis when the latencies span more than a decade or so.
        scales: {
          x: {
            time: false,
            distr: logarithmic ? 3 : 1,
            // Half a bar of room at each end, so the outer bars are not cut in half.
            range: (_u, min, max) => (logarithmic ? logRange(min / 1.15, max * 1.15) : [min - (max - min) * 0.03 - 0.001, max + (max - min) * 0.03 + 0.001]),
          },
          y: { range: (_u, _min, max) => [0, max * 1.05 || 1] },
        },
        axes: [
          {
            stroke: cssVar("--muted"),
            grid: { stroke: cssVar("--grid"), width: 1 },
            values: (_u, v) => v.map((x) => (x === null ? "" : `${+x.toPrecision(3)} ms`)),
          },
          axis(""),
        ],
        series: [
          { label: "latency", value: (_u, v) => (v === null ? "–" : `${+v.toPrecision(4)} ms`) },
          {
            label: "requests",
            stroke: cssVar("--accent"),
            fill: cssVar("--accent-fill"),
            paths: uPlot.paths.bars!({ size: [1, 12], align: 0 }),
            points: { show: false },
          },
        ],
        legend: { live: true },
      },
      [xs, ys],
    );
  }
}

/** The percentile spectrum: latency against the percentile, one "nine" per step (p90, p99, p99.9…). */
export class SpectrumChart extends Chart {
  constructor(height = 220) {
    super("spectrum", height);
  }

  show(spectrum: [number, number][]): void {
    const inner = spectrum.filter(([p]) => p < 1);
    const top = inner.length ? -Math.log10(1 - inner[inner.length - 1][0]) : 1;
    const xs = spectrum.map(([p]) => (p < 1 ? -Math.log10(1 - p) : top + 0.5));
    const ys = spectrum.map(([, v]) => v);
    const label = (nines: number) => (nines > top + 0.25 ? "max" : `p${+(100 * (1 - 10 ** -nines)).toPrecision(Math.max(2, Math.ceil(nines) + 1))}`);
    this.render(
      {
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, max * 1.05 || 1] } },
        axes: [
          {
            stroke: cssVar("--muted"),
            grid: { stroke: cssVar("--grid"), width: 1 },
            splits: () => [...Array(Math.floor(top) + 1).keys()].filter((n) => n >= 0.3 || n === 0),
            values: (_u, v) => v.map((n) => (n === null ? "" : n === 0 ? "p0" : label(n))),
          },
          axis(" ms"),
        ],
        series: [
          { label: "percentile", value: (_u, v) => (v === null ? "–" : label(v)) },
          { label: "latency", stroke: cssVar("--p99"), width: 1.5, points: { show: false }, value: (_u, v) => (v === null ? "–" : `${+v.toPrecision(4)} ms`) },
        ],
        legend: { live: true },
      },
      [xs, ys],
    );
  }
}
