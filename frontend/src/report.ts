// The HTML report: one file with its data inside (a JSON script tag) and this script and its
// styles inlined by the Python side, so it opens offline and stays small.

import type { Comparison, Distribution, EntryDetail, ExceptionRow, Failure, Point, Ratios, Row, ThresholdRow } from "./api";
import { LineChart } from "./charts";
import { DistributionView } from "./distribution";
import { h } from "./dom";
import { bytes, clock, count, duration, ms, rate } from "./format";
import { comparisonView, exceptionsTable, failuresTable, ratiosView, thresholdsTable } from "./panels";
import { initTheme, toggleTheme } from "./theme";
import "./styles.css";

type ReportEntry = Omit<EntryDetail, "phases">;

interface Report {
  meta: {
    version: string;
    locustfile: string;
    host: string | null;
    profile: string | null;
    start: number | null;
    end: number | null;
    verdict: string | null;
    verdict_text: string | null;
  };
  stats: { rows: Row[]; total: Row };
  percentiles: { columns: number[]; rows: [string, string, ...number[]][] };
  failures: Failure[];
  exceptions: ExceptionRow[];
  history: Point[];
  distribution: Distribution;
  entries: ReportEntry[];
  ratios: Ratios;
  thresholds: ThresholdRow[];
  comparison: Comparison | null; // --baseline
}

const charts: (LineChart | DistributionView)[] = [];

function statsTable(rows: Row[], total: Row): HTMLElement {
  const heads = ["Type", "Name", "# Requests", "# Fails", "Median (ms)", "95%ile (ms)", "99%ile (ms)", "Average (ms)", "Min (ms)", "Max (ms)", "Average size", "RPS", "Failures/s"];
  const line = (row: Row) =>
    h(
      "tr",
      {},
      h("td", {}, row[0]),
      h("td", { class: "message" }, row[1]),
      ...[count(row[2]), count(row[3]), ms(row[4]), ms(row[5]), ms(row[6]), ms(row[7]), ms(row[8]), ms(row[9]), bytes(row[10]), rate(row[11]), rate(row[12])].map((v) => h("td", { class: "num" }, v)),
    );
  return h(
    "table",
    { class: "plain", id: "request-statistics" },
    h("thead", {}, h("tr", {}, ...heads.map((t, i) => h("th", { class: i > 1 ? "num" : "" }, t)))),
    h("tbody", {}, ...rows.map(line)),
    h("tfoot", {}, line(total)),
  );
}

function percentilesTable(data: Report["percentiles"]): HTMLElement {
  return h(
    "table",
    { class: "plain", id: "response-time-statistics" },
    h("thead", {}, h("tr", {}, h("th", {}, "Type"), h("th", {}, "Name"), h("th", { class: "num" }, "# Requests"), ...data.columns.map((p) => h("th", { class: "num" }, `${+(p * 100).toFixed(2)}%ile (ms)`)))),
    h("tbody", {}, ...data.rows.map(([method, name, n, ...values]) => h("tr", {}, h("td", {}, method), h("td", { class: "message" }, name), h("td", { class: "num" }, count(n)), ...values.map((v) => h("td", { class: "num" }, ms(v)))))),
  );
}

function thresholdsPanel(rows: ThresholdRow[]): HTMLElement {
  const panel = h("div");
  thresholdsTable(panel, rows);
  return panel;
}

function comparisonPanel(comparison: Comparison): HTMLElement {
  const panel = h("div");
  comparisonView(panel, comparison);
  return panel;
}

function section(title: string, ...children: (Node | null)[]): HTMLElement {
  return h("section", { class: "panel report-section" }, h("h2", {}, title), ...children);
}

function render(report: Report): void {
  const meta = report.meta;
  const root = document.getElementById("app")!;
  const during = meta.start && meta.end ? `${new Date(meta.start * 1000).toLocaleString()} – ${clock(meta.end)} (${duration(meta.end - meta.start)})` : "–";
  const history = report.history;
  const time = history.map((p) => p.time);
  const rps = new LineChart("Total requests per second", [{ label: "RPS", color: "--accent" }, { label: "Failures/s", color: "--fail" }]);
  const latency = new LineChart("Response times (ms)", [{ label: "p50", color: "--p50" }, { label: "p95", color: "--p95" }, { label: "p99", color: "--p99" }], " ms");
  const users = new LineChart("Number of users", [{ label: "Users", color: "--users" }]);
  const distribution = new DistributionView(240);
  const failures = h("div");
  failuresTable(failures, report.failures);
  const exceptions = h("div");
  exceptionsTable(exceptions, report.exceptions);
  const ratios = h("div");
  ratiosView(ratios, report.ratios);
  const perName = report.entries.map((entry) => {
    const chart = new LineChart("Requests per second", [{ label: "RPS", color: "--accent" }, { label: "Failures/s", color: "--fail" }], "", 160);
    const avg = new LineChart("Average response time (ms)", [{ label: "Average", color: "--p50" }], " ms", 160);
    const dist = new DistributionView(180);
    charts.push(chart, avg, dist);
    return { entry, chart, avg, dist };
  });
  const parts: (HTMLElement | null)[] = [
    h(
      "header",
      { class: "topbar" },
      h("div", { class: "brand" }, h("strong", {}, "Horde test report"), h("span", { class: "muted" }, meta.profile ?? "")),
      h(
        "dl",
        { class: "status" },
        h("div", {}, h("dt", {}, "During"), h("dd", {}, during)),
        h("div", {}, h("dt", {}, "Target host"), h("dd", {}, meta.host ?? "–")),
        h("div", {}, h("dt", {}, "Script"), h("dd", {}, meta.locustfile)),
        h("div", {}, h("dt", {}, "Generator"), h("dd", { class: `verdict ${(meta.verdict ?? "").toLowerCase()}`, title: meta.verdict_text ?? "" }, meta.verdict ?? "–")),
      ),
      h("button", { class: "ghost", title: "Light or dark", onclick: () => { toggleTheme(); charts.forEach((c) => c instanceof LineChart && c.draw()); drawDistributions(); } }, "◐"),
    ),
    report.thresholds.length ? section("Thresholds", thresholdsPanel(report.thresholds)) : null,
    report.comparison ? section(`Comparison with run ${report.comparison.baseline}`, comparisonPanel(report.comparison)) : null,
    section("Request statistics", statsTable(report.stats.rows, report.stats.total)),
    section("Response time statistics", percentilesTable(report.percentiles)),
    section("Charts", rps.element, latency.element, users.element),
    section("Latency distribution (whole run)", distribution.element),
    perName.length
      ? section(`Per request name (the ${perName.length} busiest)`, ...perName.map(({ entry, chart, avg, dist }, i) => {
          const details = h("details", { class: "per-name", open: i < 3 }, h("summary", {}, `${entry.method} ${entry.name}`), h("div", { class: "grid2" }, chart.element, avg.element), dist.element);
          // Charts drawn while folded away have no width: draw them again when opened.
          details.addEventListener("toggle", () => {
            if (!details.open) return;
            chart.draw();
            avg.draw();
            dist.redraw();
          });
          return details;
        }))
      : null,
    section("Failures statistics", failures),
    report.exceptions.length ? section("Exceptions statistics", exceptions) : null,
    section("Final ratio", ratios),
    h("footer", {}, `Horde ${meta.version}`),
  ];
  root.append(...parts.filter((part): part is HTMLElement => part !== null));
  charts.push(rps, latency, users, distribution);
  rps.setData([time, history.map((p) => p.current_rps), history.map((p) => p.current_fail_per_sec)]);
  latency.setData([time, history.map((p) => p.response_time_percentile_50), history.map((p) => p.response_time_percentile_95), history.map((p) => p.response_time_percentile_99)]);
  users.setData([time, history.map((p) => p.user_count)]);
  for (const { entry, chart, avg } of perName) {
    const s = entry.series;
    chart.setData([s.time, s.rps, s.fail]);
    avg.setData([s.time, s.avg]);
  }
  const drawDistributions = () => {
    distribution.show(report.distribution);
    perName.forEach(({ entry, dist }) => dist.show(entry.distribution));
  };
  drawDistributions();
}

initTheme();
const theme = new URLSearchParams(location.search).get("theme");
if (theme === "dark" || theme === "light") document.documentElement.dataset.theme = theme;
const data = document.getElementById("horde-report")?.textContent;
if (data) render(JSON.parse(data) as Report);
