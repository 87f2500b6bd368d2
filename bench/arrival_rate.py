"""How closely ``--arrival-rate`` holds its rate: what the target served each second, against the
rate asked.

    python bench/arrival_rate.py                         # 10, 100 and 5,000 arrivals/s; 14 s runs
    python bench/arrival_rate.py --rates 50 2000 --seconds 30 --process poisson

For each rate, the bundled demo target starts in its own process (it counts the requests it
serves), then

    horde -f bench/scenarios/http_user.py --headless --arrival-rate RATE -u POOL -t SECONDS
          --host <target> --only-summary --summary-json <file>

runs against it (one GET per arrival; the scenario's ``wait_time`` plays no part). The target's
count is read every second (the requests the arrivals of the whole run made are compared with
the number due in ``-t`` too); over the steady window (from 2 s after the first request to 2 s
before the end) the served rate is the count's increase over the window's length, and the worst
second is the one furthest from the rate. The run's summary adds the arrivals started and
dropped and the latency p99 twice: the service time and from the planned start.

The served rate is the request rate the target saw: the accuracy the issue asks for is this
ratio, measured in the same run as the rate it is compared with. Run it with the interpreter Horde
is installed in (a compiled install for the high rates). Exit codes: 0 measured; 3 a run failed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from generators import SCENARIO_DIR, horde_executable
from table import print_rows

from horde.cli.demo import start_demo_target

SCENARIO = SCENARIO_DIR / "http_user.py"
EDGE_S = 2.0


@dataclass(frozen=True)
class Measured:
    rate: float
    served_rate: float
    worst_second: float
    started: int
    dropped: int
    service_p99_ms: float
    planned_p99_ms: float


def served(url: str) -> int:
    with urllib.request.urlopen(f"{url}/__stats", timeout=5) as response:
        return int(json.loads(response.read())["requests"].get("GET /", 0))


def measure(rate: float, seconds: int, process: str) -> Measured:
    pool = max(10, math.ceil(rate / 100))
    target = start_demo_target()
    try:
        with tempfile.TemporaryDirectory() as folder:
            summary = Path(folder) / "summary.json"
            command = [
                *horde_executable(), "-f", str(SCENARIO), "--headless", "--arrival-rate", f"{rate:g}",
                "--arrival-process", process, "-u", str(pool), "-t", f"{seconds}s", "--host", target.url,
                "--only-summary", "--summary-json", str(summary),
            ]  # fmt: skip
            run = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
            counts: list[tuple[float, int]] = []
            while run.poll() is None:
                counts.append((time.monotonic(), served(target.url)))
                time.sleep(1.0)
            log = run.stderr.read() if run.stderr else ""
            if run.returncode != 0:
                raise RuntimeError(f"horde exited {run.returncode}: {log[-2000:]}")
            report = json.loads(summary.read_text())
    finally:
        target.stop()
    first = next(at for at, count in counts if count > 0)
    window = [(at, count) for at, count in counts if first + EDGE_S <= at <= counts[-1][0] - EDGE_S]
    (start, low), (end, high) = window[0], window[-1]
    seconds_apart = [(b[1] - a[1]) / (b[0] - a[0]) for a, b in itertools.pairwise(window)]
    totals = report["totals"]
    return Measured(
        rate=rate,
        served_rate=(high - low) / (end - start),
        worst_second=max(seconds_apart, key=lambda r: abs(r - rate)),
        started=report["arrivals"]["started"],
        dropped=report["dropped_iterations"],
        service_p99_ms=totals["response_time_ms"]["percentiles_ms"]["99"],
        planned_p99_ms=(totals["planned_ms"] or {}).get("percentiles_ms", {}).get("99", math.nan),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", type=float, nargs="+", default=[10, 100, 5000])
    parser.add_argument("--seconds", type=int, default=14)
    parser.add_argument("--process", choices=("constant", "poisson"), default="constant")
    args = parser.parse_args()
    header = ("asked", "due in -t", "started", "dropped", "served (steady)", "error", "worst second")
    rows = [(*header, "p99", "planned p99")]
    for rate in args.rates:
        try:
            result = measure(rate, args.seconds, args.process)
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 3
        rows.append(
            (
                f"{result.rate:,g}/s",
                f"{result.rate * args.seconds:,.0f}",
                f"{result.started:,}",
                f"{result.dropped:,}",
                f"{result.served_rate:,.2f}/s",
                f"{result.served_rate / result.rate - 1:+.2%}",
                f"{result.worst_second:,.1f}/s",
                f"{result.service_p99_ms:.2f}",
                f"{result.planned_p99_ms:.2f}",
            )
        )
    print_rows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
