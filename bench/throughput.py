"""One generator core, Horde against Locust 2.47 (wrk as the ceiling, bare asyncio as the Python
floor), workload by workload.

    python bench/throughput.py [--seconds 10] [--runs 3] [--workload get,https] [--only horde-http]

Sets up what it needs (Debian's nginx and wrk via apt-get, a cached venv with Locust 2.47, a
throwaway TLS certificate, one delay server per latency workload), runs the target on core 1 and
each generator on core 0, counts requests at the target over a steady window, repeats, and prints
one table per throughput workload (medians, ratios against Locust's FastHttpUser on the same
workload), the stats-cardinality comparison and the latency-accuracy table. See bench/README.md.

Exit codes: 0 all scenarios measured; 2 set-up failed (nginx, wrk, Locust, a delay server);
3 a scenario failed or its tool is unavailable; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from types import FrameType
from typing import TypeVar

from delay_target import DelayServer
from generators import GENERATOR_KEYS, REFERENCE_KEY, SUITE, Scenario, check_runs, horde_executable
from latency_report import print_latency_table
from locust_env import ensure_locust
from loopback_http import request
from measure import Measurement
from nginx_target import BODY, ITEM_BODY, Nginx, SetupError, ensure_nginx, json_document
from prerequisites import ensure_binary
from processes import Supervisor
from report import print_cardinality, print_notes, print_table
from runner import Settings, Targets, run_all
from workloads import WORKLOAD_KEYS, WORKLOADS, Kind, Target

BENCH_DIR = Path(__file__).resolve().parent
T = TypeVar("T")
GENERATOR_CPU, TARGET_CPU = 0, 1


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per run (default 10)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions; medians are reported (default 3)")
    parser.add_argument(
        "--users", type=int, default=50, help="users (wrk: connections) on throughput workloads (default 50)"
    )
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="seconds after the first request (default 3)"
    )
    parser.add_argument(
        "--workload",
        default=",".join(WORKLOAD_KEYS),
        help=f"comma-separated subset of: {', '.join(WORKLOAD_KEYS)} (default all)",
    )
    parser.add_argument(
        "--only",
        default=",".join(GENERATOR_KEYS),
        help=f"comma-separated generators, on every selected workload: {', '.join(GENERATOR_KEYS)}",
    )
    parser.add_argument("--work-dir", type=Path, default=BENCH_DIR / ".work", help="default bench/.work")
    args = parser.parse_args(argv)
    workloads = _pick(parser, args.workload, WORKLOAD_KEYS, "workload")
    generators = _pick(parser, args.only, GENERATOR_KEYS, "scenario")
    args.scenarios = [s for s in SUITE if s.workload in workloads and s.key in generators]
    if not args.scenarios:
        parser.error("no scenario matches that --workload / --only combination")
    return args


def _pick(parser: argparse.ArgumentParser, text: str, known: Sequence[str], what: str) -> set[str]:
    wanted = {key.strip() for key in text.split(",") if key.strip()}
    unknown = sorted(wanted - set(known))
    if unknown:
        parser.error(f"unknown {what}(s): {', '.join(unknown)}")
    return wanted


def can_pin() -> bool:
    cores = os.sched_getaffinity(0)
    if {GENERATOR_CPU, TARGET_CPU} <= cores and shutil.which("taskset"):
        return True
    print(
        f"WARNING: cannot pin to cores {GENERATOR_CPU} and {TARGET_CPU} (have {sorted(cores)}, taskset "
        f"{'found' if shutil.which('taskset') else 'missing'}); running unpinned, numbers are not comparable"
    )
    return False


def resolve_tools(scenarios: list[Scenario], work_dir: Path) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Executables per tool, and why a tool is unavailable. Locust or wrk failing to install is fatal."""
    tools: dict[str, list[str]] = {}
    unavailable: dict[str, str] = {}
    needed = {scenario.tool for scenario in scenarios}
    if "locust" in needed:
        tools["locust"] = [str(ensure_locust(work_dir / "locust-venv"))]
    if "wrk" in needed:
        tools["wrk"] = [ensure_binary("wrk", "wrk")]
    if "bare" in needed:
        tools["bare"] = [sys.executable]  # Horde's interpreter: it has uvloop and httptools
    if "horde" in needed:
        horde = horde_executable()
        problem = check_runs(horde)
        if problem is None:
            tools["horde"] = horde
        else:
            unavailable["horde"] = f"`{' '.join(horde)} --version` failed: {problem}"
            print(f"WARNING: Horde is not runnable, its scenarios will be reported as failed: {problem}")
    return tools, unavailable


def start_targets(scenarios: list[Scenario], supervisor: Supervisor, work_dir: Path) -> Targets:
    """nginx if any throughput workload is selected, one delay server per selected delay."""
    selected = {s.workload for s in scenarios}
    targets = Targets()
    for spec in WORKLOADS:
        if spec.key not in selected:
            continue
        if spec.target is Target.DELAY:
            assert spec.delay_ms is not None
            if spec.delay_ms not in targets.delay:
                server = DelayServer(spec.delay_ms, work_dir / "delay")
                server.start(supervisor, cpu=TARGET_CPU)
                targets.delay[spec.delay_ms] = server
        elif targets.nginx is None:
            targets.nginx = Nginx(ensure_nginx(), work_dir / "nginx")
            targets.nginx.start(supervisor, cpu=TARGET_CPU)
            check_nginx(targets.nginx)
    return targets


def check_nginx(nginx: Nginx) -> None:
    """Every endpoint answers what the locustfiles expect, on both ports."""
    expected = {"/": BODY.encode(), "/item/7": ITEM_BODY.encode(), "/json": json_document().encode()}
    for tls, port in ((False, nginx.port), (True, nginx.tls_port)):
        for path, body in expected.items():
            method = "POST" if path == "/json" else "GET"
            status, got = request(
                port, path, method=method, body=b"{}" if method == "POST" else None, tls=tls
            )
            if status != 200 or got != body:
                scheme = "https" if tls else "http"
                raise SetupError(f"nginx answered {status} {got[:60]!r} to {method} {scheme} {path}")


def print_report(
    args: argparse.Namespace, results: dict[str, list[Measurement]], failures: dict[str, str]
) -> None:
    scenarios: list[Scenario] = args.scenarios
    selected = {s.workload for s in scenarios}
    throughput = [w for w in WORKLOADS if w.key in selected and w.kind is Kind.THROUGHPUT]
    for spec in throughput:
        rows = [s for s in scenarios if s.workload == spec.key]
        print_table(spec, rows, results, failures, seconds=args.seconds, users=spec.users or args.users)
    if throughput:
        print_notes()
    print_cardinality(scenarios, results)
    latency = [w for w in WORKLOADS if w.key in selected and w.kind is Kind.LATENCY]
    if latency:
        print_latency_table(latency, scenarios, results, failures)


def save(
    path: Path,
    args: argparse.Namespace,
    results: dict[str, list[Measurement]],
    failures: dict[str, str],
    pinned: bool,
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "seconds": args.seconds,
        "runs": args.runs,
        "users": args.users,
        "warmup": args.warmup,
        "pinned": pinned,
        "reference": REFERENCE_KEY,
        "results": {key: [asdict(m) for m in runs] for key, runs in results.items()},
        "failures": failures,
    }
    path.write_text(json.dumps(document, indent=2))


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_guarded(supervisor: Supervisor, work: Callable[[], T]) -> tuple[int, T | None]:
    """Run ``work`` with Ctrl-C and SIGTERM raised as KeyboardInterrupt, and stop every process
    ``supervisor`` started however it ends. Returns (0, what ``work`` returned), or (2, None) when
    set-up failed and (130, None) when interrupted: the exit codes of the benchmark scripts."""
    # SIGINT explicitly too: a shell starting us in the background leaves SIGINT ignored.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _raise_interrupt)
    try:
        return 0, work()
    except (SetupError, OSError) as exc:
        print(f"SETUP FAILED: {exc}", file=sys.stderr)
        return 2, None
    except KeyboardInterrupt:
        print("interrupted; stopping everything this benchmark started", file=sys.stderr)
        return 130, None
    finally:
        # A second Ctrl-C must not cut the clean-up short; every stop in it is bounded in time.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        supervisor.stop_all()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    pinned = can_pin()
    supervisor = Supervisor(pin=pinned)
    settings = Settings(args.seconds, args.warmup, args.users, args.runs, args.work_dir)

    def measure_all() -> tuple[dict[str, list[Measurement]], dict[str, str]]:
        tools, unavailable = resolve_tools(args.scenarios, args.work_dir)
        targets = start_targets(args.scenarios, supervisor, args.work_dir)
        return run_all(args.scenarios, settings, supervisor, targets, tools, unavailable)

    code, outcome = run_guarded(supervisor, measure_all)
    if outcome is None:
        return code
    results, failures = outcome
    print_report(args, results, failures)
    save(args.work_dir / "results.json", args, results, failures, pinned)
    print(f"raw results: {args.work_dir / 'results.json'}")
    return 3 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
