// Horde's web UI: live data pushed by the server (server-sent events), history from the server so
// a reload loses nothing, and the views Locust's UI has plus the ones it cannot show.

import { Api, type Config, type HealthDetail, type Distribution, type ExceptionRow, type Failure, type Point, type Ratios, type Row, type RunList, type State, type StatsTable as Table } from "./api";
import { LineChart } from "./charts";
import { DistributionView } from "./distribution";
import { clear, h } from "./dom";
import { EntryPanel } from "./entry";
import { clock, count, duration, percent, rate } from "./format";
import { downloadsView, exceptionsTable, failuresTable, healthView, logsView, ratiosView, runsView, thresholdsTable, workersTable } from "./panels";
import { SwarmForm } from "./swarm";
import { StatsTable } from "./table";
import { initTheme, toggleTheme } from "./theme";
import "./styles.css";

const TABS = ["statistics", "charts", "distribution", "failures", "exceptions", "ratios", "thresholds", "workers", "generator", "runs", "logs", "downloads"] as const;
type Tab = (typeof TABS)[number];
const TAB_TITLES: Record<Tab, string> = {
  statistics: "Statistics",
  charts: "Charts",
  distribution: "Latency distribution",
  failures: "Failures",
  exceptions: "Exceptions",
  ratios: "Current ratio",
  thresholds: "Thresholds",
  runs: "Runs",
  workers: "Workers",
  generator: "Generator health",
  logs: "Logs",
  downloads: "Download data",
};

function readConfig(): Config {
  const node = document.getElementById("horde-config");
  return JSON.parse(node?.textContent || "{}") as Config;
}

class App {
  private readonly api: Api;
  private readonly swarm: SwarmForm;
  private readonly table: StatsTable;
  private readonly entry: EntryPanel;
  private readonly charts: { rps: LineChart; latency: LineChart; users: LineChart };
  private readonly distribution = new DistributionView(260);
  private readonly span = new SpanPanel();
  private readonly panels = new Map<Tab, HTMLElement>();
  private readonly buttons = new Map<Tab, HTMLButtonElement>();
  private readonly status = h("dl", { class: "status" });
  private readonly controls = h("div", { class: "controls" });
  private readonly connection = h("span", { class: "connection", title: "Live connection to Horde" });
  private state: State | null = null;
  private tab: Tab = "statistics";
  private seenFailures = -1;
  private seenExceptions = -1;
  private seenLogs = -1;
  private lastPoint = 0;

  constructor(private readonly config: Config) {
    this.api = new Api(config.basePath);
    this.swarm = new SwarmForm(this.api, config, () => void this.reloadHistory());
    this.entry = new EntryPanel(this.api);
    this.table = new StatsTable((row: Row) => void this.entry.show(row[0], row[1]));
    this.charts = {
      rps: new LineChart("Total requests per second", [
        { label: "RPS", color: "--accent" },
        { label: "Failures/s", color: "--fail" },
      ]),
      latency: new LineChart(
        "Response times (ms)",
        [
          { label: "p50", color: "--p50" },
          { label: "p95", color: "--p95" },
          { label: "p99", color: "--p99" },
        ],
        " ms",
      ),
      users: new LineChart("Number of users", [{ label: "Users", color: "--users" }]),
    };
  }

  mount(root: HTMLElement): void {
    const nav = h("nav", { class: "tabs", role: "tablist" });
    for (const tab of TABS) {
      const button = h("button", { role: "tab", "data-tab": tab, hidden: tab === "workers" || tab === "thresholds", onclick: () => this.select(tab) }, TAB_TITLES[tab]);
      this.buttons.set(tab, button);
      nav.append(button);
      this.panels.set(tab, h("section", { class: "panel", role: "tabpanel", "data-panel": tab, hidden: true }));
    }
    this.panels.get("statistics")!.append(this.table.element, this.entry.element);
    const pickers = h(
      "div",
      { class: "pickers" },
      ...["p50", "p95", "p99"].map((label, i) =>
        h(
          "label",
          {},
          h("input", { type: "checkbox", checked: true, onchange: (e: Event) => this.charts.latency.setVisible(i, (e.target as HTMLInputElement).checked) }),
          label,
        ),
      ),
    );
    for (const chart of Object.values(this.charts)) chart.onSelect = (from, to) => void this.showSpan(from, to);
    this.panels.get("charts")!.append(
      h("p", { class: "muted hint" }, "Drag across a chart to see the latency distribution of that span."),
      this.charts.rps.element,
      h("div", { class: "chart-tools" }, pickers),
      this.charts.latency.element,
      this.charts.users.element,
      this.span.element,
    );
    this.panels.get("distribution")!.append(
      h(
        "div",
        { class: "chart-tools" },
        h("label", {}, "Scope ", h("select", { onchange: (e: Event) => void this.loadDistribution((e.target as HTMLSelectElement).value) }, h("option", { value: "run" }, "Whole run"), h("option", { value: "current" }, "Last 10 seconds"))),
      ),
      this.distribution.element,
    );
    const header = h(
      "header",
      { class: "topbar" },
      h("div", { class: "brand" }, h("strong", {}, "Horde"), h("span", { class: "muted" }, this.config.locustfile)),
      this.status,
      this.controls,
      h("button", { class: "ghost", title: "Light or dark", onclick: () => this.retheme() }, "◐"),
      this.connection,
    );
    root.append(header, nav, ...this.panels.values(), this.swarm.dialog, h("footer", {}, `Horde ${this.config.version}`));
    const fromUrl = new URLSearchParams(location.search).get("tab") as Tab | null;
    this.select(fromUrl && TABS.includes(fromUrl) ? fromUrl : "statistics");
    this.renderControls();
  }

  async start(): Promise<void> {
    await this.reloadHistory();
    this.api.stream(
      {
        tick: (data) => this.onTick(data as { state: State; point: Point | null }),
        stats: (data) => {
          const table = data as Table;
          this.table.update(table.rows, table.total);
        },
      },
      (open) => this.connection.classList.toggle("open", open),
    );
  }

  private retheme(): void {
    toggleTheme();
    Object.values(this.charts).forEach((chart) => chart.draw());
    this.distribution.redraw();
    this.span.redraw();
  }

  private select(tab: Tab): void {
    this.tab = tab;
    for (const [name, panel] of this.panels) panel.hidden = name !== tab;
    for (const [name, button] of this.buttons) {
      button.setAttribute("aria-selected", String(name === tab));
      if (name === tab) button.classList.remove("badge");
    }
    const url = new URL(location.href);
    url.searchParams.set("tab", tab);
    history.replaceState(null, "", url);
    if (tab === "charts") Object.values(this.charts).forEach((chart) => chart.draw());
    void this.loadTab(tab);
  }

  private async loadTab(tab: Tab): Promise<void> {
    const panel = this.panels.get(tab)!;
    if (tab === "failures") failuresTable(panel, (await this.api.get<{ failures: Failure[] }>("/api/v1/failures")).failures);
    if (tab === "exceptions") exceptionsTable(panel, (await this.api.get<{ exceptions: ExceptionRow[] }>("/exceptions")).exceptions);
    if (tab === "ratios") ratiosView(panel, await this.api.get<Ratios>("/tasks"));
    if (tab === "downloads") downloadsView(panel, this.api, this.config.fullHistory);
    if (tab === "generator") healthView(panel, this.state?.health ?? null, await this.api.get<HealthDetail>("/api/v1/health"));
    if (tab === "logs") logsView(panel, (await this.api.get<{ master: string[] }>("/logs")).master);
    if (tab === "runs") runsView(panel, this.api, await this.api.get<RunList>("/api/v1/runs"));
    if (tab === "distribution") await this.loadDistribution("run");
    if (tab === "workers" && this.state?.workers) workersTable(panel, this.state.workers, this.state.time);
    if (tab === "thresholds" && this.state) thresholdsTable(panel, this.state.thresholds);
  }

  private async showSpan(from: number, to: number): Promise<void> {
    const data = await this.api.get<Distribution>(`/api/v1/distribution?scope=span&from=${from}&to=${to}`);
    this.span.show(from, to, data);
  }

  private async loadDistribution(scope: string): Promise<void> {
    this.distribution.show(await this.api.get<Distribution>(`/api/v1/distribution?scope=${scope}`));
  }

  private async reloadHistory(): Promise<void> {
    const { points } = await this.api.get<{ points: Point[] }>("/api/v1/history");
    const time = points.map((p) => p.time);
    this.charts.rps.setData([time, points.map((p) => p.current_rps), points.map((p) => p.current_fail_per_sec)]);
    this.charts.latency.setData([
      time,
      points.map((p) => p.response_time_percentile_50),
      points.map((p) => p.response_time_percentile_95),
      points.map((p) => p.response_time_percentile_99),
    ]);
    this.charts.users.setData([time, points.map((p) => p.user_count)]);
    this.lastPoint = time.length ? time[time.length - 1] : 0;
  }

  private onTick({ state, point }: { state: State; point: Point | null }): void {
    const previous = this.state;
    this.state = state;
    if (previous && previous.state === "stopped" && state.state !== "stopped") void this.reloadHistory();
    if (point && point.time > this.lastPoint) {
      this.lastPoint = point.time;
      this.charts.rps.append(point.time, [point.current_rps, point.current_fail_per_sec]);
      this.charts.latency.append(point.time, [point.response_time_percentile_50, point.response_time_percentile_95, point.response_time_percentile_99]);
      this.charts.users.append(point.time, [point.user_count]);
    }
    this.renderStatus(state);
    this.buttons.get("workers")!.hidden = state.workers === null; // a master's tab only
    this.buttons.get("thresholds")!.hidden = !state.thresholds.length; // with --threshold only
    if (this.tab === "thresholds") thresholdsTable(this.panels.get("thresholds")!, state.thresholds);
    if (this.tab === "workers" && state.workers) workersTable(this.panels.get("workers")!, state.workers, state.time);
    if (!previous || previous.state !== state.state) this.renderControls();
    this.notify("failures", state.failure_rows, this.seenFailures);
    this.notify("exceptions", state.exceptions, this.seenExceptions);
    this.notify("logs", state.log_lines, this.seenLogs);
    this.seenFailures = state.failure_rows;
    this.seenExceptions = state.exceptions;
    this.seenLogs = state.log_lines;
    if (this.tab === "generator" && (previous?.health?.windows ?? 0) !== (state.health?.windows ?? 0)) void this.loadTab("generator");
  }

  private notify(tab: Tab, value: number, seen: number): void {
    if (seen < 0 || value === seen) return;
    if (this.tab === tab) void this.loadTab(tab);
    else if (value > seen) this.buttons.get(tab)!.classList.add("badge");
  }

  private renderStatus(state: State): void {
    const item = (label: string, value: string, extra = "") => [h("div", {}, h("dt", {}, label), h("dd", { class: extra, title: value }, value))];
    const running = state.state === "running" || state.state === "spawning";
    const verdict = state.health ? state.health.verdict : "–";
    const failRatio = state.total_requests ? state.total_failures / state.total_requests : 0;
    clear(this.status);
    this.status.append(
      ...item("Host", state.host ?? "–", "host"),
      ...item("Status", state.state.toUpperCase(), `state-${state.state}`),
      ...item(state.arrivals ? "Pool" : "Users", count(state.user_count)),
      ...(state.arrivals ? item("Arrivals", `${rate(state.arrivals.rate)}/s`) : []),
      ...(state.arrivals ? item("Dropped", count(state.arrivals.dropped), state.arrivals.dropped ? "bad" : "") : []),
      ...(state.workers ? item("Workers", count(state.workers.filter((w) => w.state !== "missing").length)) : []),
      ...(state.thresholds.length ? item("Thresholds", `${state.thresholds.filter((t) => t.passed).length}/${state.thresholds.length} pass`, state.thresholds.every((t) => t.passed) ? "" : "bad") : []),
      ...item("RPS", running ? rate(state.current_rps) : "0"),
      ...item("Failures", percent(failRatio), failRatio > 0 ? "bad" : ""),
      ...item("Generator", verdict, `verdict ${verdict.toLowerCase()}`),
      ...(state.run_time ? item("Run time", duration(state.run_time)) : []),
    );
  }

  private renderControls(): void {
    const state = this.state?.state ?? "ready";
    const running = state === "running" || state === "spawning";
    const button = (text: string, action: () => void, kind = "") => h("button", { class: kind, onclick: action }, text);
    clear(this.controls);
    if (running) {
      if (!this.config.shape) this.controls.append(button("Edit", () => this.swarm.open(true)));
      this.controls.append(button("Stop", () => void this.api.post("/stop"), "danger"));
    } else {
      this.controls.append(button(state === "ready" ? "Start" : "New", () => this.swarm.open(false), "primary"));
    }
    this.controls.append(
      button(
        "Reset stats",
        () =>
          void this.api.post("/stats/reset").then(() => {
            this.lastPoint = 0;
            return this.reloadHistory(); // the server's history starts again at the reset too
          }),
        "ghost",
      ),
    );
    if (state === "ready" && !this.swarm.dialog.open && this.state) this.swarm.open(false);
  }
}


/** The distribution of the span selected on the charts. */
class SpanPanel {
  readonly element = h("section", { class: "span-panel", hidden: true });
  private readonly view = new DistributionView(220);
  private readonly title = h("h3", {});

  constructor() {
    this.element.append(this.title, this.view.element);
  }

  show(from: number, to: number, data: Distribution): void {
    this.element.hidden = false;
    this.title.textContent = `Latency distribution ${clock(from)} – ${clock(to)}`;
    this.view.show(data);
  }

  redraw(): void {
    if (!this.element.hidden) this.view.redraw();
  }
}

initTheme();
const app = new App(readConfig());
app.mount(document.getElementById("app")!);
void app.start();
