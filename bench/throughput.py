"""Requests per second of one load-generator core: Horde against Locust 2.47, same target.

    python bench/throughput.py [--seconds 10] [--runs 3] [--only locust-fast,horde-http]

Sets up what it needs (Debian's nginx via apt-get, a cached venv with Locust 2.47), runs nginx on
core 1 and each generator on core 0, counts requests at nginx over a steady window, repeats, and
prints medians with ratios against Locust's FastHttpUser. See bench/README.md.

Exit codes: 0 all scenarios measured; 2 set-up failed (nginx, Locust, pinning); 3 a scenario
failed or its tool is unavailable; 130 interrupted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from types import FrameType

from generators import REFERENCE_KEY, SCENARIOS, Scenario, check_runs, generator_argv, horde_executable
from locust_env import ensure_locust
from measure import Measurement, ScenarioError, measure, read_verdict, run_time_for
from nginx_target import BODY, Nginx, SetupError, ensure_nginx
from processes import Supervisor
from report import print_table

BENCH_DIR = Path(__file__).resolve().parent
GENERATOR_CPU, TARGET_CPU = 0, 1


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    keys = [scenario.key for scenario in SCENARIOS]
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per run (default 10)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions; medians are reported (default 3)")
    parser.add_argument("--users", type=int, default=50, help="simulated users per generator (default 50)")
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="seconds after the first request (default 3)"
    )
    parser.add_argument(
        "--only", default=",".join(keys), help=f"comma-separated subset of: {', '.join(keys)}"
    )
    parser.add_argument("--work-dir", type=Path, default=BENCH_DIR / ".work", help="default bench/.work")
    args = parser.parse_args(argv)
    wanted = [key.strip() for key in args.only.split(",") if key.strip()]
    unknown = sorted(set(wanted) - set(keys))
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    args.scenarios = [scenario for scenario in SCENARIOS if scenario.key in wanted]
    return args


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
    """Executables per tool, and why a tool is unavailable. Locust failing to install is fatal."""
    tools: dict[str, list[str]] = {}
    unavailable: dict[str, str] = {}
    needed = {scenario.tool for scenario in scenarios}
    if "locust" in needed:
        tools["locust"] = [str(ensure_locust(work_dir / "locust-venv"))]
    if "horde" in needed:
        horde = horde_executable()
        problem = check_runs(horde)
        if problem is None:
            tools["horde"] = horde
        else:
            unavailable["horde"] = f"`{' '.join(horde)} --version` failed: {problem}"
            print(f"WARNING: Horde is not runnable, its scenarios will be reported as failed: {problem}")
    return tools, unavailable


def check_target(nginx: Nginx) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", nginx.port, timeout=5)
    try:
        conn.request("GET", "/")
        response = conn.getresponse()
        body = response.read().decode()
    finally:
        conn.close()
    if response.status != 200 or body != BODY:
        raise SetupError(f"nginx answered {response.status} {body!r} on /, expected the benchmark body")


def run_all(
    args: argparse.Namespace,
    supervisor: Supervisor,
    nginx: Nginx,
    tools: dict[str, list[str]],
    unavailable: dict[str, str],
) -> tuple[dict[str, list[Measurement]], dict[str, str]]:
    results: dict[str, list[Measurement]] = {scenario.key: [] for scenario in args.scenarios}
    failures = {s.key: unavailable[s.tool] for s in args.scenarios if s.tool in unavailable}
    stamp = time.strftime("%Y%m%d-%H%M%S")
    # Scenarios are interleaved within each run, so slow drift of the machine hits all of them alike.
    for run in range(1, args.runs + 1):
        for scenario in args.scenarios:
            if scenario.key in failures:
                continue
            run_dir = args.work_dir / "runs" / stamp / f"{scenario.key}-{run}"
            csv_prefix = run_dir / "stats"
            summary_json = run_dir / "summary.json" if scenario.tool == "horde" else None
            argv = generator_argv(
                tools[scenario.tool],
                scenario,
                host=nginx.url,
                users=args.users,
                run_time_s=run_time_for(args.warmup, args.seconds),
                csv_prefix=csv_prefix,
                summary_json=summary_json,
            )
            print(f"[run {run}/{args.runs}] {scenario.label}: {' '.join(argv)}", flush=True)
            try:
                result = measure(
                    argv,
                    nginx=nginx,
                    supervisor=supervisor,
                    warmup_s=args.warmup,
                    seconds=args.seconds,
                    run_dir=run_dir,
                    csv_prefix=csv_prefix,
                )
            except ScenarioError as exc:
                print(f"  FAILED: {exc}", flush=True)
                failures[scenario.key] = str(exc).splitlines()[0]
                continue
            if summary_json is not None:
                result = replace(result, verdict=read_verdict(summary_json))
            results[scenario.key].append(result)
            print(
                f"  {result.requests_per_s:,.0f} req/s, generator CPU {result.generator_cpu:.0%}, "
                f"nginx CPU {result.nginx_cpu:.0%}",
                flush=True,
            )
    return results, failures


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


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGINT explicitly too: a shell starting us in the background leaves SIGINT ignored.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _raise_interrupt)
    pinned = can_pin()
    supervisor = Supervisor(pin=pinned)
    try:
        tools, unavailable = resolve_tools(args.scenarios, args.work_dir)
        nginx = Nginx(ensure_nginx(), args.work_dir / "nginx")
        nginx.start(supervisor, cpu=TARGET_CPU)
        check_target(nginx)
        results, failures = run_all(args, supervisor, nginx, tools, unavailable)
    except (SetupError, OSError) as exc:
        print(f"SETUP FAILED: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; stopping everything this benchmark started", file=sys.stderr)
        return 130
    finally:
        # A second Ctrl-C must not cut the clean-up short; every stop in it is bounded in time.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        supervisor.stop_all()
    print_table(args.scenarios, results, failures, seconds=args.seconds, users=args.users)
    save(args.work_dir / "results.json", args, results, failures, pinned)
    print(f"raw results: {args.work_dir / 'results.json'}")
    return 3 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
