"""What the live outputs cost: the GET workload with every sink on, against the same run without.

    python bench/sinks.py                      # 4 rounds of 15 s runs, both arms alternating
    python bench/sinks.py --rounds 6 --seconds 20
    python bench/sinks.py --scenario names_1000_http.py   # 1,000 request names: 1,000 points a second

Horde runs on core 0 (``taskset``), and everything else on core 1: nginx (one worker), the sinks'
receivers (a real Prometheus scraping ``--metrics-port`` every second, or ``--scrape-interval``;
a real InfluxDB 1.x for ``--influxdb``; an OTLP/HTTP receiver in this process for
``--otlp-endpoint``) and this script. So the arms differ only by what the sinks cost Horde itself:
making the lines, points and exports, and answering the scrapes. Each arm runs

    horde -f bench/scenarios/http_user.py --headless -u 50 -r 50 -t 15s --host <nginx>
          --only-summary --summary-json <file> [--metrics-port P --influxdb URL --otlp-endpoint URL]

and its rate is the summary's whole-run requests/s. The headline is the ratio of the two arms'
medians, measured in the same run. The sinks' own counts (points written, exports, scrapes)
show that they worked. Prometheus and InfluxDB come from Debian (``apt-get install prometheus
influxdb``); without them the script says so and exits 2.

Run it with the interpreter Horde is installed in (a compiled install). Exit codes: 0 measured; 2
set-up failed; 3 a run failed; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from generators import SCENARIO_DIR, check_runs, horde_executable
from nginx_target import Nginx, SetupError, ensure_nginx, free_port
from processes import Supervisor
from table import print_rows
from throughput import run_guarded

BENCH_DIR = Path(__file__).resolve().parent
ARMS = ("no sinks", "all sinks")


class Otlp:
    """An OTLP/HTTP receiver that counts the exports it was sent (on core 1, with this script)."""

    def __init__(self) -> None:
        received = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                received.exports += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.exports = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/metrics"


def start_influxdb(supervisor: Supervisor, work: Path) -> str:
    port, rpc = free_port(), free_port()
    work.mkdir(parents=True, exist_ok=True)
    config = work / "influxdb.conf"
    config.write_text(
        f'reporting-disabled = true\nbind-address = "127.0.0.1:{rpc}"\n[meta]\n  dir = "{work}/meta"\n'
        f'[data]\n  dir = "{work}/data"\n  wal-dir = "{work}/wal"\n  query-log-enabled = false\n'
        f'[http]\n  bind-address = "127.0.0.1:{port}"\n  log-enabled = false\n'
        "[monitor]\n  store-enabled = false\n[continuous_queries]\n  enabled = false\n"
    )
    supervisor.start([_tool("influxd"), "-config", str(config)], cpu=1, log_path=work / "influxd.log")
    url = f"http://127.0.0.1:{port}"
    _wait(f"{url}/ping")
    body = urllib.parse.urlencode({"q": "CREATE DATABASE horde"}).encode()
    urllib.request.urlopen(f"{url}/query", data=body, timeout=10).close()
    return url


def start_prometheus(supervisor: Supervisor, work: Path, target: str, interval: int) -> str:
    work.mkdir(parents=True, exist_ok=True)
    config = work / "prometheus.yml"
    config.write_text(
        f"global: {{scrape_interval: {interval}s, scrape_timeout: 1s}}\n"
        f"scrape_configs:\n  - job_name: horde\n    static_configs: [{{targets: ['{target}']}}]\n"
    )
    address = f"127.0.0.1:{free_port()}"
    supervisor.start(
        [_tool("prometheus"), f"--config.file={config}", f"--storage.tsdb.path={work / 'data'}",
         f"--web.listen-address={address}"],
        cpu=1, log_path=work / "prometheus.log",
    )  # fmt: skip
    _wait(f"http://{address}/-/ready")
    return f"http://{address}"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SetupError(f"{name} is not installed (apt-get install prometheus influxdb)")
    return path


def _wait(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SetupError(f"{url} did not answer within {timeout:g} s") from None
            time.sleep(0.2)


def scrapes(prometheus: str, seconds: int) -> float:
    """Successful scrapes of Horde in the last ``seconds``."""
    query = urllib.parse.urlencode({"query": f'sum_over_time(up{{job="horde"}}[{seconds}s])'})
    with urllib.request.urlopen(f"{prometheus}/api/v1/query?{query}", timeout=10) as answer:
        result = json.loads(answer.read())["data"]["result"]
    return float(result[0]["value"][1]) if result else 0.0


def run_arm(
    args: argparse.Namespace, arm: str, nginx: Nginx, sinks: dict[str, Any], folder: Path
) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    summary = folder / "summary.json"
    command = [
        "taskset", "-c", "0", *horde_executable(), "-f", str(SCENARIO_DIR / args.scenario), "--headless",
        "-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s", "--host", nginx.url,
        "--only-summary", "--summary-json", str(summary),
    ]  # fmt: skip
    if arm == "all sinks":
        flags = {
            "prometheus": ["--metrics-port", str(sinks["metrics_port"])],
            "influxdb": ["--influxdb", f"{sinks['influxdb']}/horde"],
            "otlp": ["--otlp-endpoint", sinks["otlp"].url],
        }
        for sink in args.sinks.split(","):
            command += flags[sink]
    exports_before = sinks["otlp"].exports
    log = folder / "horde.log"
    with log.open("w") as sink:
        code = subprocess.run(
            command, stdout=sink, stderr=subprocess.STDOUT, timeout=args.seconds + 60
        ).returncode
    if not summary.exists():
        raise RuntimeError(f"{arm}: horde exited {code} without a summary:\n{log.read_text()[-2000:]}")
    report = json.loads(summary.read_text())
    outputs = report.get("outputs", {})
    return {
        "arm": arm,
        "rate": report["totals"]["rps"],
        "requests": report["totals"]["requests"],
        "points": outputs.get("influxdb", {}).get("points_written", 0),
        "points_dropped": outputs.get("influxdb", {}).get("points_dropped", 0),
        "exports": sinks["otlp"].exports - exports_before,
    }


def run_rounds(args: argparse.Namespace, supervisor: Supervisor) -> list[dict[str, Any]]:
    problem = check_runs(horde_executable())
    if problem is not None:
        raise SetupError(f"Horde is not runnable: {problem}")
    os.sched_setaffinity(0, {1})  # this script and the OTLP receiver beside nginx
    work = args.work_dir / "sinks" / time.strftime("%Y%m%d-%H%M%S")
    nginx = Nginx(ensure_nginx(), work / "nginx")
    nginx.start(supervisor, cpu=1)
    metrics_port = free_port()
    sinks = {
        "metrics_port": metrics_port,
        "influxdb": start_influxdb(supervisor, work / "influxdb"),
        "prometheus": start_prometheus(
            supervisor, work / "prometheus", f"127.0.0.1:{metrics_port}", args.scrape_interval
        ),
        "otlp": Otlp(),
    }
    runs = []
    for index in range(1, args.rounds + 1):
        for arm in ARMS if index % 2 else ARMS[::-1]:
            run = run_arm(args, arm, nginx, sinks, work / f"{arm.replace(' ', '-')}-{index}")
            run["scrapes"] = scrapes(sinks["prometheus"], args.seconds) if arm == "all sinks" else 0
            runs.append(run)
            print(
                f"[round {index}/{args.rounds}] {arm}: {run['rate']:,.0f} req/s; {run['points']:,} points"
                f" ({run['points_dropped']} dropped), {run['exports']} OTLP exports,"
                f" {run['scrapes']:.0f} scrapes",
                flush=True,
            )
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--scenario", default="http_user.py", help="a file of bench/scenarios")
    parser.add_argument("--sinks", default="prometheus,influxdb,otlp", help="the sinks of the second arm")
    parser.add_argument("--scrape-interval", type=int, default=1, help="Prometheus's, in seconds")
    parser.add_argument("--work-dir", type=Path, default=BENCH_DIR / ".work")
    args = parser.parse_args()
    supervisor = Supervisor(pin=True)
    code, runs = run_guarded(supervisor, lambda: run_rounds(args, supervisor))
    if runs is None:
        return code
    medians = {arm: statistics.median(run["rate"] for run in runs if run["arm"] == arm) for arm in ARMS}
    rows: list[tuple[str, ...]] = [("arm", "req/s (median)", "each round")]
    for arm in ARMS:
        each = ", ".join(f"{run['rate']:,.0f}" for run in runs if run["arm"] == arm)
        rows.append((arm, f"{medians[arm]:,.0f}", each))
    print()
    print_rows(rows)
    ratio = medians["all sinks"] / medians["no sinks"]
    print(f"\nall sinks / no sinks: {ratio:.3f} (the sinks cost {1 - ratio:.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
