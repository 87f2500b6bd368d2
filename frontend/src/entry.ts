// The detail of one request name (a click on its row): its own charts, latency distribution and
// connection phases, from the server's bounded per-name history (so a reload keeps them).

import type { Api, EntryDetail, Phases } from "./api";
import { LineChart } from "./charts";
import { DistributionView } from "./distribution";
import { clear, h } from "./dom";
import { count, ms } from "./format";

export class EntryPanel {
  readonly element: HTMLElement;
  private charts: (LineChart | DistributionView)[] = [];

  constructor(private readonly api: Api) {
    this.element = h("section", { class: "entry-panel", hidden: true });
  }

  async show(method: string, name: string): Promise<void> {
    const query = new URLSearchParams({ method, name });
    const detail = await this.api.get<EntryDetail>(`/api/v1/entry?${query}`);
    this.render(detail);
  }

  close(): void {
    this.element.hidden = true;
    this.charts.forEach((chart) => chart.destroy());
    this.charts = [];
  }

  private render(detail: EntryDetail): void {
    this.close();
    clear(this.element);
    this.element.hidden = false;
    const rps = new LineChart(`Requests per second: ${detail.method} ${detail.name}`, [
      { label: "RPS", color: "--accent" },
      { label: "Failures/s", color: "--fail" },
    ]);
    const avg = new LineChart(`Average response time (ms): ${detail.method} ${detail.name}`, [{ label: "Average", color: "--p50" }], " ms");
    const distribution = new DistributionView(200);
    this.element.append(
      h("header", {}, h("h3", {}, `${detail.method} ${detail.name}`), h("button", { class: "ghost", onclick: () => this.close(), "aria-label": "Close" }, "✕")),
      h("div", { class: "grid2" }, rps.element, avg.element),
      h("h4", {}, "Latency distribution"),
      distribution.element,
      phasesView(detail.phases),
    );
    const s = detail.series;
    rps.setData([s.time, s.rps, s.fail]);
    avg.setData([s.time, s.avg]);
    distribution.show(detail.distribution);
    this.charts = [rps, avg, distribution];
    this.element.scrollIntoView({ behavior: "smooth", block: "nearest" });
  }
}

function phasesView(phases: Phases | null): HTMLElement {
  const section = h("div", { class: "phases" }, h("h4", {}, "Phases (ms)"));
  if (!phases) {
    section.append(h("p", { class: "muted" }, "No phase timings for this name (not an HTTP request)."));
    return section;
  }
  const shown = phases.ttfb ?? phases.connect ?? [];
  const row = (label: string, pairs: [number, number][] | null) =>
    h("tr", {}, h("th", {}, label), ...shown.map((_, i) => h("td", { class: "num" }, pairs ? ms(pairs[i][1]) : "–")));
  const heads = shown.map(([p]) => h("th", { class: "num" }, `p${+(p * 100).toFixed(1)}`));
  section.append(
    h("p", { class: "muted" }, `${count(phases.connections)} new connection${phases.connections === 1 ? "" : "s"}`),
    h("table", { class: "plain" }, h("thead", {}, h("tr", {}, h("th", {}, "Phase"), ...heads)), h("tbody", {}, row("Connect", phases.connect), row("TLS", phases.tls), row("Time to first byte", phases.ttfb))),
  );
  return section;
}
