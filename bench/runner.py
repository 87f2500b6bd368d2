"""Running the selected scenarios: each one, each run, against its workload's target.

Scenarios are interleaved within each run (every workload, every generator, then the next run),
so slow drift of the machine hits all of them alike.
"""

from __future__ import annotations

import re
import signal
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from delay_target import DelayServer
from generators import Scenario, bare_argv, generator_argv, wrk_argv
from latency import Latency, read_csv_percentiles, read_exact_percentiles
from measure import Measurement, ScenarioError, Target, measure, read_verdict, run_time_for
from nginx_target import Nginx
from processes import Supervisor
from workloads import Target as TargetKind
from workloads import workload


@dataclass
class Targets:
    """The servers of this invocation: nginx (plain and TLS ports) and one delay server per delay."""

    nginx: Nginx | None = None
    delay: dict[int, DelayServer] = field(default_factory=dict)

    def for_workload(self, key: str) -> tuple[Target, str]:
        """The target a workload's generators are counted by, and the ``--host`` they are given."""
        spec = workload(key)
        if spec.target is TargetKind.DELAY:
            assert spec.delay_ms is not None
            server = self.delay[spec.delay_ms]
            return server, server.url
        assert self.nginx is not None
        return self.nginx, self.nginx.https_url if spec.target is TargetKind.NGINX_TLS else self.nginx.url


# Generators with a command line of their own instead of the Locust flags.
_OWN_LINES = {"wrk": wrk_argv, "bare": bare_argv}


@dataclass(frozen=True)
class Settings:
    seconds: float
    warmup: float
    users: int
    runs: int
    work_dir: Path


def run_all(
    scenarios: list[Scenario],
    settings: Settings,
    supervisor: Supervisor,
    targets: Targets,
    tools: dict[str, list[str]],
    unavailable: dict[str, str],
) -> tuple[dict[str, list[Measurement]], dict[str, str]]:
    results: dict[str, list[Measurement]] = {scenario.id: [] for scenario in scenarios}
    failures = {s.id: unavailable[s.tool] for s in scenarios if s.tool in unavailable}
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for run in range(1, settings.runs + 1):
        for scenario in scenarios:
            if scenario.id in failures:
                continue
            run_dir = settings.work_dir / "runs" / stamp / f"{scenario.workload}-{scenario.key}-{run}"
            print(f"[run {run}/{settings.runs}] {scenario.workload}: {scenario.label}", flush=True)
            try:
                result = run_one(scenario, settings, supervisor, targets, tools[scenario.tool], run_dir)
            except ScenarioError as exc:
                print(f"  FAILED: {exc}", flush=True)
                failures[scenario.id] = str(exc).splitlines()[0]
                continue
            results[scenario.id].append(result)
            print(
                f"  {result.requests_per_s:,.0f} req/s, generator CPU {result.generator_cpu:.0%}, "
                f"target CPU {result.nginx_cpu:.0%}",
                flush=True,
            )
    return results, failures


def run_one(
    scenario: Scenario,
    settings: Settings,
    supervisor: Supervisor,
    targets: Targets,
    executable: list[str],
    run_dir: Path,
) -> Measurement:
    """One measured run of one scenario, with what its workload reads besides the rate."""
    target, host = targets.for_workload(scenario.workload)
    users = workload(scenario.workload).users or settings.users
    run_time_s = run_time_for(settings.warmup, settings.seconds)
    csv_prefix: Path | None = run_dir / "stats"
    summary_json = run_dir / "summary.json" if scenario.tool == "horde" else None
    own_line = _OWN_LINES.get(scenario.tool)
    if own_line is not None:  # no CSV; the count comes from the summary line it prints
        csv_prefix = None
        argv = own_line(executable, url=host, connections=users, run_time_s=run_time_s)
    else:
        assert csv_prefix is not None
        argv = generator_argv(
            executable,
            scenario,
            host=host,
            users=users,
            run_time_s=run_time_s,
            csv_prefix=csv_prefix,
            summary_json=summary_json,
        )
    print(f"  {' '.join(argv)}", flush=True)
    delay = targets.delay.get(workload(scenario.workload).delay_ms or -1)
    if delay is not None:
        delay.reset()
    result = measure(
        argv,
        target=target,
        supervisor=supervisor,
        warmup_s=settings.warmup,
        seconds=settings.seconds,
        run_dir=run_dir,
        csv_prefix=csv_prefix,
        # wrk stops and prints its totals on SIGINT; SIGTERM makes Locust and Horde write their CSVs.
        stop_signal=signal.SIGINT if scenario.tool == "wrk" else signal.SIGTERM,
    )
    if summary_json is not None:
        result = replace(result, verdict=read_verdict(summary_json))
    if own_line is not None:
        result = replace(result, tool_requests=read_wrk_requests(run_dir / "generator.log"))
    if delay is not None:
        assert csv_prefix is not None
        result = replace(result, latency=_latency(delay, csv_prefix, summary_json))
    return result


def _latency(delay: DelayServer, csv_prefix: Path, summary_json: Path | None) -> Latency:
    csv_p50, csv_p99 = read_csv_percentiles(csv_prefix)
    exact_p50, exact_p99 = read_exact_percentiles(summary_json) if summary_json else (None, None)
    return Latency(
        delay_ms=delay.delay_ms,
        csv_p50_ms=csv_p50,
        csv_p99_ms=csv_p99,
        exact_p50_ms=exact_p50,
        exact_p99_ms=exact_p99,
        server=delay.truth(),
    )


def read_wrk_requests(log: Path) -> int | None:
    """The total from wrk's closing summary (``123456 requests in 10.00s, ...``), if it printed one
    (bare_asyncio.py prints the same line)."""
    try:
        found = re.search(r"^\s*(\d+) requests in ", log.read_text(errors="replace"), re.MULTILINE)
    except OSError:
        return None
    return int(found.group(1)) if found else None
