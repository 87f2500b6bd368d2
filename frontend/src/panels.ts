// The smaller tabs: failures, exceptions, task ratios, downloads and the generator's health.

import type { Api, ExceptionRow, Failure, Health, RatioNode, Ratios } from "./api";
import { clear, h } from "./dom";
import { count } from "./format";

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

export function downloadsView(target: HTMLElement, api: Api): void {
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
      link("/stats/requests_full_history/csv", "Full history CSV", "(needs --csv and --csv-full-history)"),
      link("/api/v1/summary", "Summary JSON", "(Horde's versioned summary, with phase timings and the verdict)"),
      link("/stats/report?download=1", "HTML report", "(one self-contained file)"),
    ),
  );
}

export function healthView(target: HTMLElement, health: Health | null): void {
  clear(target);
  if (!health) {
    target.append(h("p", { class: "empty" }, "No test has run yet."));
    return;
  }
  const verdict = health.verdict.toLowerCase();
  target.append(
    h("p", { class: `verdict ${verdict}` }, h("strong", {}, health.verdict), ` — ${count(health.limitedWindows)} of ${count(health.windows)} windows limited by the load generator`),
    health.reasons.length ? h("p", {}, `Latest window: ${health.reasons.join(", ")}`) : h("p", { class: "muted" }, "The latest window was not limited by the load generator."),
    h(
      "p",
      { class: "muted" },
      "Horde watches its own event-loop lag, CPU, schedule lag and connection waits. When it is the bottleneck, the latencies and rates of those windows describe Horde's limits, not the target's.",
    ),
  );
}

export function logsView(target: HTMLElement, lines: string[]): void {
  clear(target);
  target.append(lines.length ? h("pre", { class: "logs" }, lines.join("\n")) : h("p", { class: "empty" }, "No log lines yet."));
}
