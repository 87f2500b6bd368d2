"""One measured run of one generator: start it, let it warm up, count a steady window, stop it.

The rate is the target's request counter (nginx's, or the delay server's) over the window
divided by the window's wall time, so every tool is judged by the same server-side count and
neither's ramp-up or shutdown is included.
"""

from __future__ import annotations

import csv
import json
import signal
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from latency import Latency
from processes import Supervisor, cpu_times, tail

Poll = Callable[[], int | None]  # Popen.poll: None while the process runs

STARTUP_BUDGET_S = 60  # generous: a cold Python start plus imports on a busy machine


class ScenarioError(RuntimeError):
    """The generator did not run as expected (did not start, exited early, sent nothing)."""


class Target(Protocol):
    """What a run needs from the server: its request counter and its CPU time."""

    def requests(self) -> int: ...

    def cpu_seconds(self) -> float: ...


@dataclass(frozen=True)
class Measurement:
    requests_per_s: float  # counted by the target (nginx or the delay server), steady window only
    window_s: float
    generator_cpu: float  # share of one core over the window
    nginx_cpu: float  # the target's share of its core (the delay server's on latency workloads)
    nginx_requests: int  # whole generator lifetime, as the target counted them
    tool_requests: int | None  # the generator's own Aggregated "Request Count", if it wrote one
    tool_failures: int | None
    exit_code: int
    verdict: str | None = None  # Horde's generator-health verdict for the run (None for Locust)
    tool_entries: int | None = None  # rows in the tool's stats CSV besides Aggregated
    latency: Latency | None = None  # latency workloads: reported percentiles and the truth
    generator_system: float = 0.0  # the kernel's part of generator_cpu (system time)


def run_time_for(warmup_s: float, seconds: float) -> int:
    """The ``-t`` given to the generator: longer than we need, since we stop it ourselves."""
    return int(STARTUP_BUDGET_S + warmup_s + seconds + 30)


def measure(
    argv: list[str],
    *,
    target: Target,
    supervisor: Supervisor,
    warmup_s: float,
    seconds: float,
    run_dir: Path,
    csv_prefix: Path | None,
    stop_signal: int = signal.SIGTERM,
) -> Measurement:
    """Run ``argv`` on core 0 and measure it; ``stop_signal`` ends it (SIGTERM makes Locust and
    Horde write their CSV files; wrk prints its summary on SIGINT)."""
    log = run_dir / "generator.log"
    before = target.requests()
    process = supervisor.start(argv, cpu=0, log_path=log)
    try:
        wait_for_traffic(target, process.poll, before, log)
        _sleep_while_alive(warmup_s, process.poll, log)
        start = (time.perf_counter(), target.requests(), cpu_times(process.pid), target.cpu_seconds())
        _sleep_while_alive(seconds, process.poll, log)
        end = (time.perf_counter(), target.requests(), cpu_times(process.pid), target.cpu_seconds())
        if process.poll() is not None:
            raise ScenarioError(f"the generator exited during the measured window:\n{tail(log)}")
    finally:
        exit_code = supervisor.stop(process, stop_signal, grace=30)
    after = target.requests()
    window = end[0] - start[0]
    tool_requests, tool_failures, tool_entries = (
        read_aggregated(csv_prefix) if csv_prefix is not None else (None, None, None)
    )
    return Measurement(
        requests_per_s=(end[1] - start[1]) / window,
        window_s=window,
        generator_cpu=(sum(end[2]) - sum(start[2])) / window,
        nginx_cpu=(end[3] - start[3]) / window,
        nginx_requests=after - before,
        tool_requests=tool_requests,
        tool_failures=tool_failures,
        exit_code=exit_code,
        tool_entries=tool_entries,
        generator_system=(end[2][1] - start[2][1]) / window,
    )


def wait_for_traffic(target: Target, poll: Poll, before: int, log: Path) -> None:
    """Block until the target sees the generator's first requests (or the start-up budget runs out)."""
    deadline = time.monotonic() + STARTUP_BUDGET_S
    while time.monotonic() < deadline:
        if poll() is not None:
            raise ScenarioError(f"the generator exited before sending requests:\n{tail(log)}")
        if target.requests() > before:
            return
        time.sleep(0.1)
    raise ScenarioError(f"no requests reached the target within {STARTUP_BUDGET_S}s:\n{tail(log)}")


def _sleep_while_alive(seconds: float, poll: Poll, log: Path) -> None:
    deadline = time.perf_counter() + seconds
    while (remaining := deadline - time.perf_counter()) > 0:
        if poll() is not None:
            raise ScenarioError(f"the generator exited early:\n{tail(log)}")
        time.sleep(min(remaining, 0.25))


def read_aggregated(csv_prefix: Path) -> tuple[int | None, int | None, int | None]:
    """Request and failure counts from the Aggregated row of ``PREFIX_stats.csv`` (Locust columns),
    and how many other rows (statistics entries) the file has."""
    path = csv_prefix.with_name(csv_prefix.name + "_stats.csv")
    try:
        with path.open(newline="") as file:
            rows = list(csv.DictReader(file))
        for row in rows:
            if row.get("Name") == "Aggregated":
                return int(row["Request Count"]), int(row["Failure Count"]), len(rows) - 1
    except (OSError, KeyError, ValueError):
        pass
    return None, None, None


def read_verdict(summary_json: Path) -> str | None:
    """The generator-health verdict in a Horde ``--summary-json`` file, if there is one."""
    try:
        health = json.loads(summary_json.read_text())["generator_health"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return health.get("verdict") if isinstance(health, dict) else None


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
