// The statistics table: sortable, filterable, and virtual (only the visible rows exist in the
// page), so 10,000 request names scroll as smoothly as ten.

import type { Row } from "./api";
import { count, ms, bytes, rate } from "./format";

interface Column {
  key: string;
  title: string;
  index: number;
  format: (value: never) => string;
  numeric: boolean;
}

const COLUMNS: Column[] = [
  { key: "method", title: "Type", index: 0, format: (v: string) => v, numeric: false },
  { key: "name", title: "Name", index: 1, format: (v: string) => v, numeric: false },
  { key: "requests", title: "# Requests", index: 2, format: count, numeric: true },
  { key: "failures", title: "# Fails", index: 3, format: count, numeric: true },
  { key: "median", title: "Median (ms)", index: 4, format: ms, numeric: true },
  { key: "p95", title: "95%ile (ms)", index: 5, format: ms, numeric: true },
  { key: "p99", title: "99%ile (ms)", index: 6, format: ms, numeric: true },
  { key: "avg", title: "Average (ms)", index: 7, format: ms, numeric: true },
  { key: "min", title: "Min (ms)", index: 8, format: ms, numeric: true },
  { key: "max", title: "Max (ms)", index: 9, format: ms, numeric: true },
  { key: "size", title: "Average size", index: 10, format: bytes, numeric: true },
  { key: "rps", title: "Current RPS", index: 11, format: rate, numeric: true },
  { key: "fails", title: "Current Failures/s", index: 12, format: rate, numeric: true },
];

/** The latency columns (median to max) read the planned-start values this many places later. */
const PLANNED_OFFSET = 9;
const LATENCY = new Set(["median", "p95", "p99", "avg", "min", "max"]);

const ROW_HEIGHT = 30;
const OVERSCAN = 10;

export class StatsTable {
  readonly element: HTMLElement;
  private rows: Row[] = [];
  private total: Row | null = null;
  private shown: Row[] = [];
  private sortIndex = -1;
  private descending = false;
  private filter = "";
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly body: HTMLElement;
  private readonly footer: HTMLElement;
  private readonly header: HTMLElement;
  private readonly summary: HTMLElement;
  private selected: string | null = null;
  private planned = false;
  private readonly plannedToggle: HTMLElement;

  constructor(private readonly onSelect: (row: Row) => void) {
    this.element = document.createElement("section");
    this.element.className = "stats-table";
    const tools = document.createElement("div");
    tools.className = "table-tools";
    const search = document.createElement("input");
    search.type = "search";
    search.placeholder = "Filter by name or type…";
    search.setAttribute("aria-label", "Filter requests");
    search.addEventListener("input", () => {
      this.filter = search.value.trim().toLowerCase();
      this.refresh();
    });
    this.summary = document.createElement("span");
    this.summary.className = "muted";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.addEventListener("change", () => {
      this.planned = box.checked;
      this.header.querySelectorAll<HTMLElement>(".cell").forEach((cell, i) => {
        const column = COLUMNS[i];
        if (LATENCY.has(column.key)) cell.textContent = this.planned ? column.title.replace("(ms)", "(ms, planned)") : column.title;
      });
      this.refresh();
    });
    this.plannedToggle = document.createElement("label");
    this.plannedToggle.className = "planned-toggle";
    this.plannedToggle.title =
      "Latency from each request's planned start (an arrival's due time, a paced user's planned next start): what a user arriving on schedule waited";
    this.plannedToggle.append(box, " From the planned start");
    this.plannedToggle.hidden = true;
    tools.append(search, this.summary, this.plannedToggle);

    this.header = document.createElement("div");
    this.header.className = "trow thead";
    for (const column of COLUMNS) {
      const cell = document.createElement("button");
      cell.className = `cell ${column.numeric ? "num" : "text"} col-${column.key}`;
      cell.textContent = column.title;
      cell.title = `Sort by ${column.title}`;
      cell.addEventListener("click", () => this.sortBy(column.index));
      this.header.append(cell);
    }
    this.viewport = document.createElement("div");
    this.viewport.className = "tviewport";
    this.spacer = document.createElement("div");
    this.body = document.createElement("div");
    this.body.className = "tbody";
    this.spacer.append(this.body);
    this.viewport.append(this.spacer);
    this.viewport.addEventListener("scroll", () => this.renderVisible());
    this.footer = document.createElement("div");
    this.footer.className = "trow tfoot";
    const scroller = document.createElement("div");
    scroller.className = "tscroll";
    scroller.append(this.header, this.viewport, this.footer);
    this.element.append(tools, scroller);
  }

  update(rows: Row[], total: Row): void {
    this.rows = rows;
    this.total = total;
    this.plannedToggle.hidden = total.length <= 13; // no request had a planned start
    this.refresh();
  }

  /** Where a column's value is in a row: the planned-start one for latencies, when shown. */
  private at(index: number): number {
    return this.planned && LATENCY.has(COLUMNS[index].key) ? index + PLANNED_OFFSET : index;
  }

  get visibleCount(): number {
    return this.shown.length;
  }

  private sortBy(index: number): void {
    this.descending = this.sortIndex === index ? !this.descending : COLUMNS[index].numeric;
    this.sortIndex = index;
    this.header.querySelectorAll(".cell").forEach((cell, i) => {
      cell.setAttribute("aria-sort", i === index ? (this.descending ? "descending" : "ascending") : "none");
    });
    this.refresh();
  }

  private refresh(): void {
    const filter = this.filter;
    let shown = filter
      ? this.rows.filter((row) => row[1].toLowerCase().includes(filter) || row[0].toLowerCase().includes(filter))
      : this.rows.slice();
    if (this.sortIndex >= 0) {
      const i = this.at(this.sortIndex);
      const sign = this.descending ? -1 : 1;
      shown = shown.sort((a, b) => {
        const x = a[i] ?? -1;
        const y = b[i] ?? -1;
        return (x < y ? -1 : x > y ? 1 : 0) * sign;
      });
    }
    this.shown = shown;
    this.summary.textContent =
      shown.length === this.rows.length
        ? `${count(this.rows.length)} request names`
        : `${count(shown.length)} of ${count(this.rows.length)} request names`;
    this.spacer.style.height = `${shown.length * ROW_HEIGHT}px`;
    this.renderVisible();
    this.footer.replaceChildren(...(this.total ? this.cells(this.total) : []));
  }

  private renderVisible(): void {
    const top = this.viewport.scrollTop;
    const height = this.viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.shown.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    this.body.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    const fragment = document.createDocumentFragment();
    for (let i = first; i < last; i++) {
      const row = this.shown[i];
      const line = document.createElement("div");
      const key = `${row[0]} ${row[1]}`;
      line.className = key === this.selected ? "trow selected" : "trow";
      line.tabIndex = 0;
      line.append(...this.cells(row));
      line.addEventListener("click", () => this.select(row, key));
      line.addEventListener("keydown", (event) => {
        if (event.key === "Enter") this.select(row, key);
      });
      fragment.append(line);
    }
    this.body.replaceChildren(fragment);
  }

  private select(row: Row, key: string): void {
    this.selected = key;
    this.renderVisible();
    this.onSelect(row);
  }

  private cells(row: Row): HTMLElement[] {
    return COLUMNS.map((column) => {
      const cell = document.createElement("span");
      cell.className = `cell ${column.numeric ? "num" : "text"} col-${column.key}`;
      const value = row[this.at(column.index)] as never;
      cell.textContent = value === undefined ? "–" : column.format(value);
      if (column.key === "name") cell.title = String(value);
      return cell;
    });
  }
}
