"""Cost of recording one request sample: ``RequestStats.record`` against an empty call.

Samples: 50 request names (`--names`), log-normal latencies (median ~20 ms, long tail), 1 % failures
(a handful of distinct errors), content sizes of a few KiB. Each round times the same pre-built
samples through an empty function with the same arguments (the reference: call and loop overhead)
and through ``record``; the best round of each is reported, because on a shared VM the slowest
rounds measure the neighbours, not the code.

    /work/venv/bin/python bench/stats_record.py [--samples N] [--rounds R]

Also times one 1 Hz history tick (``sample_history``) over the same entries.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from horde.stats import PhaseTimings, RequestStats

Sample = tuple[str, str, float, int, object, Any]


class HTTPError(Exception):
    pass


def make_samples(count: int, with_timings: bool, seed: int = 7, names: int = 50) -> list[Sample]:
    rng = random.Random(seed)
    items = [f"/api/items/{i}" for i in range(max(names - 5, 0))]
    names_list = items + ["/", "/login", "/cart", "/search", "/checkout"][: names - len(items)]
    errors = [HTTPError(f"{code} Server Error for url") for code in (500, 502, 503)] + [
        ConnectionResetError()
    ]
    posts = {"/login", "/cart", "/checkout"}
    samples: list[Sample] = []
    for _ in range(count):
        name = rng.choice(names_list)
        method = "POST" if name in posts else "GET"
        latency = rng.lognormvariate(3.0, 0.8)  # ms: median ~20, p99 ~130
        error = rng.choice(errors) if rng.random() < 0.01 else None
        timings = None
        if with_timings:
            new_connection = rng.random() < 0.01
            timings = PhaseTimings(
                connect=rng.uniform(0.1, 2.0) if new_connection else None,
                tls=rng.uniform(1.0, 5.0) if new_connection else None,
                ttfb=latency * 0.9,
            )
        samples.append((method, name, latency, rng.randrange(200, 8000), error, timings))
    return samples


def reference(
    method: str,
    name: str,
    response_time: float | None,
    response_length: int,
    exception: object | None,
    timings: Any = None,
) -> None:
    pass


def time_calls(function: Callable[..., None], samples: list[Sample]) -> float:
    """Nanoseconds per call for one pass over the samples."""
    started = time.perf_counter_ns()
    for method, name, response_time, length, error, timings in samples:
        function(method, name, response_time, length, error, timings)
    return (time.perf_counter_ns() - started) / len(samples)


def measure(samples: list[Sample], rounds: int) -> tuple[float, float, list[float]]:
    stats = RequestStats()
    reference_times, record_times = [], []
    for _ in range(rounds):
        reference_times.append(time_calls(reference, samples))
        record_times.append(time_calls(stats.record, samples))
    differences = [r - b for r, b in zip(record_times, reference_times, strict=True)]
    return min(reference_times), min(record_times), differences


def time_tick(samples: list[Sample]) -> float:
    """Microseconds for one history tick after a second's worth of samples into ~50 entries."""
    stats = RequestStats()
    now = 1_000.0
    costs = []
    for second in range(30):
        for method, name, response_time, length, error, timings in samples[:5000]:
            stats.record(method, name, response_time, length, error, timings)
        started = time.perf_counter_ns()
        stats.sample_history(now + second, 100)
        costs.append((time.perf_counter_ns() - started) / 1000)
    return statistics.median(costs)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument(
        "--names", type=int, default=50, help="request names the samples spread over (e.g. 1000)"
    )
    args = parser.parse_args()
    for label, with_timings in (("without phase timings", False), ("with phase timings", True)):
        samples = make_samples(args.samples, with_timings, names=args.names)
        base, record, differences = measure(samples, args.rounds)
        print(
            f"record() {label}: {record:7.1f} ns/call, empty call {base:6.1f} ns/call, "
            f"difference {record - base:6.1f} ns (best rounds; median difference "
            f"{statistics.median(differences):6.1f} ns)"
        )
    print(f"history tick over 50 entries (5,000 samples/s): {time_tick(make_samples(5000, True)):8.1f} µs")


if __name__ == "__main__":
    main()
