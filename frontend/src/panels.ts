// The smaller tabs: failures, exceptions, task ratios, downloads and the generator's health.

import type { Api, Comparison, ExceptionRow, Failure, Health, HealthDetail, MetricVerdict, RatioNode, Ratios, RunList, ThresholdRow, Worker } from "./api";
import { clear, h } from "./dom";
import { bytes, clock, count, ms, rate } from "./format";

function observed(row: ThresholdRow): string {
  if (row.observed === null) return "no requests";
  if (row.unit === "ms") return `${ms(row.observed)} ms`;
  return Number.isInteger(row.observed) ? count(row.observed) : row.observed.toPrecision(4);
}

export function thresholdsTable(target: HTMLElement, rows: ThresholdRow[]): void {
  clear(target);
  const failed = rows.filter((row) => !row.passed).length;
  target.append(
    h("p", { class: failed ? "bad" : "" }, failed ? `${failed} of ${rows.length} thresholds failed` : `All ${rows.length} thresholds pass`),
    h(
      "table",
      { class: "plain thresholds" },
      h("thead", {}, h("tr", {}, h("th", {}, "Threshold"), h("th", { class: "num" }, "Observed"), h("th", {}, "Result"))),
      h(
        "tbody",
        {},
        ...rows.map((row) =>
          h("tr", { "data-passed": String(row.passed) }, h("td", {}, row.expression), h("td", { class: "num" }, observed(row)), h("td", { class: row.passed ? "" : "bad" }, row.passed ? "pass" : "FAIL")),
        ),
      ),
    ),
  );
}

export function workersTable(target: HTMLElement, workers: Worker[], now: number): void {
  clear(target);
  if (!workers.length) {
    target.append(h("p", { class: "empty" }, "No workers yet: start some with horde -f locustfile.py --worker --master-host <this host>."));
    return;
  }
  const heading = ["#", "Worker", "State", "Users", "CPU", "Memory", "RPS", "Last heartbeat", "Generator"];
  const numeric = new Set(["#", "Users", "CPU", "Memory", "RPS"]);
  target.append(
    h(
      "table",
      { class: "plain workers" },
      h("thead", {}, h("tr", {}, ...heading.map((title) => h("th", { class: numeric.has(title) ? "num" : "" }, title)))),
      h(
        "tbody",
        {},
        ...workers.map((w) =>
          h(
            "tr",
            { "data-worker": w.id },
            h("td", { class: "num" }, String(w.index)),
            h("td", { class: "message" }, w.id),
            h("td", { class: `state-${w.state}` }, w.state),
            h("td", { class: "num" }, count(w.user_count)),
            h("td", { class: w.cpu_usage >= 90 ? "num bad" : "num" }, `${w.cpu_usage.toFixed(0)}%`),
            h("td", { class: "num" }, bytes(w.memory_usage)),
            h("td", { class: "num" }, rate(w.rps)),
            h("td", {}, w.last_heartbeat ? `${clock(w.last_heartbeat)} (${Math.max(0, now - w.last_heartbeat).toFixed(0)} s ago)` : "–"),
            h("td", { class: `verdict ${(w.verdict ?? "").toLowerCase()}` }, w.verdict ?? "–"),
          ),
        ),
      ),
    ),
  );
}

export function failuresTable(target: HTMLElement, failures: Failure[]): void {
  clear(target);
  if (!failures.length) {
    target.append(h("p", { class: "empty" }, "No failures."));
    return;
  }
  target.append(
    h(
      "table",
      { class: "plain" },
      h("thead", {}, h("tr", {}, h("th", { class: "num" }, "# Failures"), h("th", {}, "Method"), h("th", {}, "Name"), h("th", {}, "Message"))),
      h(
        "tbody",
        {},
        ...failures.map((f) =>
          h("tr", {}, h("td", { class: "num" }, count(f.occurrences)), h("td", {}, f.method), h("td", {}, f.name), h("td", { class: "message" }, f.error)),
        ),
      ),
    ),
  );
}

export function exceptionsTable(target: HTMLElement, rows: ExceptionRow[]): void {
  clear(target);
  if (!rows.length) {
    target.append(h("p", { class: "empty" }, "No exceptions in user code."));
    return;
  }
  target.append(
    ...rows.map((row) =>
      h(
        "details",
        { class: "exception" },
        h("summary", {}, h("strong", {}, `${count(row.count)}×`), " ", row.msg),
        h("pre", {}, row.traceback),
      ),
    ),
  );
}

function ratioList(tree: Record<string, RatioNode>): HTMLElement {
  return h(
    "ul",
    { class: "ratios" },
    ...Object.entries(tree)
      .sort((a, b) => b[1].ratio - a[1].ratio)
      .map(([name, node]) =>
        h(
          "li",
          {},
          h("span", { class: "bar", style: `--share:${(node.ratio * 100).toFixed(2)}%` }),
          h("span", { class: "ratio" }, `${(node.ratio * 100).toFixed(1)}%`),
          " ",
          name,
          node.tasks && Object.keys(node.tasks).length ? ratioList(node.tasks) : null,
        ),
      ),
  );
}

export function ratiosView(target: HTMLElement, ratios: Ratios): void {
  clear(target);
  target.append(
    h("div", { class: "columns" }, h("section", {}, h("h3", {}, "Per User class"), ratioList(ratios.per_class)), h("section", {}, h("h3", {}, "Total"), ratioList(ratios.total))),
  );
}

export function downloadsView(target: HTMLElement, api: Api, fullHistory: boolean): void {
  clear(target);
  const link = (path: string, text: string, note: string) =>
    h("li", {}, h("a", { href: api.url(path), download: "" }, text), h("span", { class: "muted" }, ` ${note}`));
  target.append(
    h(
      "ul",
      { class: "downloads" },
      link("/stats/requests/csv", "Request statistics CSV", "(Locust's _stats.csv columns)"),
      link("/stats/failures/csv", "Failures CSV", ""),
      link("/exceptions/csv", "Exceptions CSV", ""),
      fullHistory ? link("/stats/requests_full_history/csv", "Full history CSV", "(every second, every name)") : null,
      link("/api/v1/summary", "Summary JSON", "(Horde's versioned summary, with phase timings and the verdict)"),
      link("/stats/report?download=1", "HTML report", "(one self-contained file)"),
    ),
  );
}

export function healthView(target: HTMLElement, health: Health | null, detail: HealthDetail): void {
  clear(target);
  if (!health || !detail.windows.length) {
    target.append(h("p", { class: "empty" }, `No ${detail.window_s}-second window has closed yet.`));
    return;
  }
  const verdict = health.verdict.toLowerCase();
  const t = detail.thresholds;
  const mmss = (s: number) => `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
  target.append(
    h("p", { class: `verdict ${verdict}` }, h("strong", {}, health.verdict), ` — ${count(health.limitedWindows)} of ${count(health.windows)} windows limited by the load generator`),
    h(
      "p",
      { class: "muted" },
      `A window is limited when Horde's CPU reaches ${t.cpu_percent}%, its event-loop lag p99 ${t.loop_lag_ms} ms or its schedule lag p99 ${t.schedule_lag_ms} ms, or a request waited for a connection. ` +
        "The latencies and rates of such windows describe Horde's limits, not the target's.",
    ),
    h(
      "table",
      { class: "plain windows" },
      h("thead", {}, h("tr", {}, ...["Window", "CPU", "Loop lag p99", "Schedule lag p99", "Connection waits", "Limited by"].map((title, i) => h("th", { class: i ? "num" : "" }, title)))),
      h(
        "tbody",
        {},
        ...detail.windows
          .slice()
          .reverse()
          .map((w) =>
            h(
              "tr",
              { class: w.limited ? "limited" : "" },
              h("td", {}, `${mmss(w.start_s)}–${mmss(w.end_s)}`),
              h("td", { class: "num" }, `${w.cpu_percent.toFixed(0)}%`),
              h("td", { class: "num" }, `${w.loop_lag_p99_ms.toFixed(1)} ms`),
              h("td", { class: "num" }, w.schedule_lag_p99_ms === null ? "–" : `${w.schedule_lag_p99_ms.toFixed(1)} ms`),
              h("td", { class: "num" }, count(w.connection_waits)),
              h("td", { class: "num" }, w.reasons.join(", ") || "–"),
            ),
          ),
      ),
    ),
  );
}

export function logsView(target: HTMLElement, lines: string[]): void {
  clear(target);
  target.append(lines.length ? h("pre", { class: "logs" }, lines.join("\n")) : h("p", { class: "empty" }, "No log lines yet."));
}

/** The run history: pick a baseline (A) and a run to compare with it (B). */
export function runsView(target: HTMLElement, api: Api, list: RunList): void {
  clear(target);
  if (!list.runs.length) {
    target.append(h("p", { class: "empty" }, list.message ?? "No runs recorded yet: each run is recorded when it ends."));
    return;
  }
  const result = h("div", { class: "comparison" });
  const pick = (side: string, id: number, checked: boolean) =>
    h("input", { type: "radio", name: `run-${side}`, value: String(id), checked, "aria-label": `${side === "a" ? "Baseline" : "Compare"} run ${id}` });
  const heading = ["A", "B", "Run", "Started", "Duration", "Users", "Requests", "Failed", "RPS", "p95", "Exit", "Locustfile"];
  const table = h(
    "table",
    { class: "plain runs" },
    h("thead", {}, h("tr", {}, ...heading.map((title) => h("th", {}, title)))),
    h(
      "tbody",
      {},
      ...list.runs.map((run, index) =>
        h(
          "tr",
          { "data-run": String(run.id) },
          h("td", {}, pick("a", run.id, index === 1)),
          h("td", {}, pick("b", run.id, index === 0)),
          h("td", { class: "num" }, String(run.id)),
          h("td", {}, new Date(run.started * 1000).toLocaleString()),
          h("td", { class: "num" }, `${Math.round((run.ended ?? run.started) - run.started)} s`),
          h("td", { class: "num" }, run.users === null ? "–" : count(run.users)),
          h("td", { class: "num" }, count(run.requests)),
          h("td", { class: "num" }, run.requests ? `${((100 * run.failures) / run.requests).toFixed(2)}%` : "–"),
          h("td", { class: "num" }, rate(run.rps)),
          h("td", { class: "num" }, run.p95_ms === null ? "–" : `${ms(run.p95_ms)} ms`),
          h("td", { class: "num" }, run.exit_code === null ? "–" : String(run.exit_code)),
          h("td", {}, run.locustfile ?? ""),
        ),
      ),
    ),
  );
  const compare = async () => {
    const a = target.querySelector<HTMLInputElement>("input[name=run-a]:checked")?.value;
    const b = target.querySelector<HTMLInputElement>("input[name=run-b]:checked")?.value;
    clear(result);
    if (!a || !b) {
      result.append(h("p", { class: "bad" }, "Pick a baseline (A) and a run (B)."));
      return;
    }
    try {
      comparisonView(result, await api.get<Comparison>(`/api/v1/runs/compare?a=${a}&b=${b}`));
    } catch (error) {
      result.append(h("p", { class: "bad" }, String(error)));
    }
  };
  target.append(
    h("p", {}, "Pick a baseline (A) and a run (B): per request name, whether B regressed beyond the noise of both runs."),
    table,
    h("div", { class: "form-buttons" }, h("button", { class: "primary", onclick: () => void compare() }, "Compare")),
    result,
  );
  if (list.runs.length >= 2) void compare();
}

function shown(metric: string, value: number | null): string {
  if (value === null) return "–";
  if (metric === "fail_ratio") return `${(100 * value).toFixed(2)}%`;
  if (metric === "rps") return `${rate(value)}/s`;
  if (metric === "requests") return count(value);
  return `${ms(value)} ms`;
}

export function comparisonView(target: HTMLElement, comparison: Comparison): void {
  const moved = (m: MetricVerdict) => m.outcome !== "same";
  const changed = comparison.entries.flatMap((entry) => entry.metrics.filter(moved).map((m) => ({ entry, m })));
  target.append(
    h(
      "p",
      { class: comparison.regressed ? "bad verdict-line" : "verdict-line" },
      `${comparison.candidate === undefined ? "This run" : `Run ${comparison.candidate}`} against run ${comparison.baseline}: ${comparison.regressed ? "REGRESSED" : changed.length ? "improved" : "no change beyond noise"}`,
    ),
    h(
      "table",
      { class: "plain comparison" },
      h("thead", {}, h("tr", {}, ...["Request", "Metric", "Baseline", "This run", "Change", "Verdict", "Why"].map((t) => h("th", {}, t)))),
      h(
        "tbody",
        {},
        ...comparison.entries.flatMap((entry) =>
          entry.metrics.map((m) =>
            h(
              "tr",
              { "data-outcome": m.outcome },
              h("td", {}, `${entry.method} ${entry.name}`),
              h("td", {}, m.metric),
              h("td", { class: "num" }, shown(m.metric, m.baseline)),
              h("td", { class: "num" }, shown(m.metric, m.candidate)),
              h("td", { class: "num" }, m.change === null ? "–" : `${m.change >= 0 ? "+" : ""}${(100 * m.change).toFixed(0)}%`),
              h("td", { class: m.outcome === "regressed" ? "bad" : "" }, m.outcome),
              h("td", { class: "muted" }, m.why),
            ),
          ),
        ),
      ),
    ),
  );
}
