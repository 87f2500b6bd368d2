// The server's data, typed as Horde's /api/v1 sends it, and the calls that change the test.

export interface Config {
  basePath: string;
  version: string;
  locustfile: string;
  host: string | null;
  userCount: number | null;
  spawnRate: number | null;
  arrivalRate: string | null; // --arrival-rate (or the last test's): the open model
  runTime: number | null;
  classPicker: boolean;
  userClasses: string[];
  shape: boolean;
  profile: string | null;
  fullHistory: boolean;
  customOptions: CustomOption[];
}

// An option the locustfile added (init_command_line_parser): a field of the start form.
export interface CustomOption {
  name: string;
  label: string;
  help: string;
  flag: boolean;
  choices: string[] | null;
  secret: boolean;
  required: boolean;
  multiple: boolean;
  value: string | boolean | null;
}

export interface HealthWindow {
  start_s: number;
  end_s: number;
  cpu_percent: number;
  loop_lag_p99_ms: number;
  schedule_lag_p99_ms: number | null;
  connection_waits: number;
  reasons: string[];
  limited: boolean;
}

export interface HealthDetail {
  verdict: string | null;
  window_s: number;
  thresholds: { cpu_percent: number; loop_lag_ms: number; schedule_lag_ms: number };
  windows: HealthWindow[];
}

export interface Health {
  verdict: string;
  limited: boolean;
  reasons: string[];
  windows: number;
  limitedWindows: number;
}

export interface State {
  state: string;
  user_count: number;
  target_user_count: number;
  host: string | null;
  run_time: number | null;
  total_requests: number;
  total_failures: number;
  current_rps: number;
  current_fail_per_sec: number;
  failure_rows: number;
  exceptions: number;
  log_lines: number;
  time: number;
  health: Health | null;
  workers: Worker[] | null; // a master's workers; null when the users run in this process
  thresholds: ThresholdRow[]; // --threshold, judged on the run so far
  arrivals: Arrivals | null; // an open-model test's (--arrival-rate); null when users loop
}

export interface Arrivals {
  rate: number; // per second, now
  plan: string;
  process: string;
  started: number;
  dropped: number; // found no idle user
}

export interface ThresholdRow {
  expression: string;
  observed: number | null; // null: no such requests yet
  passed: boolean;
  unit: string; // "ms" for times
}

export interface RunRow {
  id: number;
  started: number;
  ended: number | null;
  locustfile: string | null;
  host: string | null;
  users: number | null;
  requests: number;
  failures: number;
  rps: number;
  p95_ms: number | null;
  exit_code: number | null;
}

export interface RunList {
  runs: RunRow[];
  message: string | null; // why there are none (no history yet, --no-history, unreadable)
}

export interface MetricVerdict {
  metric: string; // p50, p95, p99, fail_ratio, rps, requests
  baseline: number | null;
  candidate: number | null;
  change: number | null;
  outcome: string; // regressed, improved, same, missing
  why: string;
}

export interface Comparison {
  baseline: number;
  candidate?: number; // absent in a run's own report: "this run"
  regressed: boolean;
  entries: { method: string; name: string; metrics: MetricVerdict[] }[];
}

export interface Worker {
  id: string;
  index: number;
  state: string;
  user_count: number;
  cpu_usage: number;
  memory_usage: number;
  rps: number;
  last_heartbeat: number;
  verdict: string | null;
}

export interface Point {
  time: number;
  user_count: number;
  current_rps: number;
  current_fail_per_sec: number;
  response_time_percentile_50: number;
  response_time_percentile_95: number;
  response_time_percentile_99: number;
  total_requests: number;
  total_failures: number;
}

/** One statistics row, as arrays to keep 10,000 of them small on the wire. */
export type Row = [
  method: string,
  name: string,
  requests: number,
  failures: number,
  median: number,
  p95: number,
  p99: number,
  avg: number,
  min: number | null,
  max: number,
  avgSize: number,
  currentRps: number,
  currentFailures: number,
  // The latency from the planned start, when the name has one (arrivals, paced users):
  plannedMedian?: number,
  plannedP95?: number,
  plannedP99?: number,
  plannedAvg?: number,
  plannedMin?: number,
  plannedMax?: number,
];

export interface StatsTable {
  rows: Row[];
  total: Row;
}

export interface Failure {
  method: string;
  name: string;
  error: string;
  occurrences: number;
}

export interface ExceptionRow {
  count: number;
  msg: string;
  traceback: string;
  nodes: string;
}

export interface Distribution {
  count: number;
  buckets: [number, number, number][];
  percentiles: [number, number][];
  spectrum: [number, number][];
}

export interface Phases {
  connections: number;
  connect: [number, number][] | null;
  tls: [number, number][] | null;
  ttfb: [number, number][] | null;
}

export interface EntryDetail {
  method: string;
  name: string;
  step: number;
  series: { time: number[]; rps: number[]; fail: number[]; avg: (number | null)[] };
  distribution: Distribution;
  phases: Phases | null;
}

export interface RatioNode {
  ratio: number;
  tasks?: Record<string, RatioNode>;
}

export interface Ratios {
  per_class: Record<string, RatioNode>;
  total: Record<string, RatioNode>;
}

export class Api {
  constructor(readonly base: string) {}

  url(path: string): string {
    return `${this.base}${path}`;
  }

  async get<T>(path: string): Promise<T> {
    const response = await fetch(this.url(path), { credentials: "same-origin" });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async post(path: string, form?: URLSearchParams): Promise<{ success: boolean; message: string }> {
    const response = await fetch(this.url(path), {
      method: "POST",
      body: form,
      credentials: "same-origin",
    });
    const text = await response.text();
    try {
      return JSON.parse(text) as { success: boolean; message: string };
    } catch {
      return { success: response.ok, message: text };
    }
  }

  stream(handlers: Record<string, (data: unknown) => void>, onOpen: (open: boolean) => void): EventSource {
    const source = new EventSource(this.url("/api/v1/stream"));
    for (const [name, handler] of Object.entries(handlers)) {
      source.addEventListener(name, (event) => handler(JSON.parse((event as MessageEvent<string>).data)));
    }
    source.onopen = () => onOpen(true);
    source.onerror = () => onOpen(false);
    return source;
  }
}
