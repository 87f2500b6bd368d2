// A latency distribution shown three ways: the histogram, the percentile spectrum, and the numbers.

import type { Distribution } from "./api";
import { DistributionChart, SpectrumChart } from "./charts";
import { h } from "./dom";
import { count, ms } from "./format";

export class DistributionView {
  readonly element: HTMLElement;
  private readonly histogram: DistributionChart;
  private readonly spectrum: SpectrumChart;
  private readonly numbers = h("div", { class: "distribution-numbers" });
  private data: Distribution | null = null;

  constructor(height = 220) {
    this.histogram = new DistributionChart(height);
    this.spectrum = new SpectrumChart(height);
    this.element = h(
      "div",
      { class: "distribution-view" },
      h("div", { class: "grid2" }, h("div", {}, h("h4", {}, "Histogram"), this.histogram.element), h("div", {}, h("h4", {}, "Percentile spectrum"), this.spectrum.element)),
      this.numbers,
    );
  }

  show(data: Distribution): void {
    this.data = data;
    this.histogram.show(data.buckets);
    this.spectrum.show(data.spectrum);
    this.numbers.replaceChildren(h("p", { class: "muted" }, `${count(data.count)} requests`), percentileList(data.percentiles));
  }

  /** Draw again (after a theme change). */
  redraw(): void {
    if (this.data) this.show(this.data);
  }

  destroy(): void {
    this.histogram.destroy();
    this.spectrum.destroy();
  }
}

export function percentileList(pairs: [number, number][]): HTMLElement {
  return h(
    "div",
    { class: "percentiles" },
    ...pairs.map(([p, value]) => h("div", {}, h("span", { class: "muted" }, `p${+(p * 100).toFixed(3)}`), h("strong", {}, `${ms(value)} ms`))),
  );
}
