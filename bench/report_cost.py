"""Cost of the periodic reports with many request names: the console table (every 2 s) and the
``_stats.csv`` rewrite (every 5 s), in-process, against statistics of ``--names`` entries.

The statistics are filled as a run would fill them: 12 s of 20,000 log-normal samples a second
(median ~2 ms) spread over the names, with phase timings and a history tick each second. Each
report is then made ``--rounds`` times; the best and the median round are printed, because on a
shared VM the slowest rounds measure the neighbours, not the code.

    python bench/report_cost.py [--names 1000] [--rounds 15]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from horde.reports import console
from horde.reports.csv_files import CsvWriter
from horde.stats import PhaseTimings, RequestStats


def filled_stats(names: int, seconds: int = 12, per_second: int = 20_000) -> RequestStats:
    rng = random.Random(2)
    stats = RequestStats()
    paths = [f"/item/{n}" for n in range(names)]
    start = time.time()
    for second in range(seconds):
        for i in range(per_second):
            latency = rng.lognormvariate(0.7, 0.6)
            timings = PhaseTimings(None, None, latency * 0.9)
            stats.record("GET", paths[i % names], latency, 46, None, timings)
        stats.sample_history(start + second, 50)
    return stats


def rounds_ms(action: Callable[[], object], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--names", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    stats = filled_stats(args.names)
    with tempfile.TemporaryDirectory() as directory, CsvWriter(Path(directory) / "run") as writer:
        reports = {
            "console table": lambda: console.stats_table(stats, current=True),
            "_stats.csv rewrite": lambda: writer.write_stats(stats),
        }
        for label, action in reports.items():
            times = rounds_ms(action, args.rounds)
            print(
                f"{label} of {args.names:,} entries: best {min(times):6.1f} ms, "
                f"median {statistics.median(times):6.1f} ms"
            )


if __name__ == "__main__":
    main()
