"""The master's CPU while it hears 100 workers: a real ``horde --master`` against a fleet.

    python bench/master_merge.py                          # arms horde,locust: ~1.5 min
    python bench/master_merge.py --arms horde,locust,idle,real
    python bench/master_merge.py --arms horde --rate 100

Each arm starts one master on core 0,

    horde -f bench/scenarios/fleet_20_names.py --master --headless --expect-workers 100 -u 200 -r 200
          -t 30s --master-bind-host 127.0.0.1 --master-bind-port <free> --host <nginx> --csv <dir>/stats
          --json-file <dir>/stats

(the console table every 2 s and the CSV files every second included), and 100 workers on core 1:

* ``horde``, ``locust``, ``idle``: ``bench/worker_fleet.py``, 100 protocol-level simulated workers in
  one process, each recording ``--rate`` requests/s (default 1,000; ``idle``: none) over 20 names
  and reporting every 3 s as a Horde worker does: with Horde's exact histograms (``horde``), or in
  Locust's codec only (``locust``, what Locust workers in a mixed fleet send; its keys are Horde's
  bucket middles, more than Locust's rounded milliseconds: an upper bound for real Locust workers);
* ``real``: ``horde --worker --processes 100``, 100 real worker processes forked from one, each
  running 2 ``FleetUser`` (5 requests/s each) against nginx on core 1; their memory is reported.

From the ramp's end plus ``--settle`` seconds, for ``--window`` seconds, psutil reads the master
process's CPU time (user + system, all its threads): over wall time, the share of one core. After
the run, the master's request count (the sum over its ``--json-file`` entries) is checked against
what the workers sent (``worker_fleet.py``'s own sum), or against nginx's count for real workers.
The master's CSV ``Aggregated`` count is reported beside it.

Run it with the interpreter Horde is installed in. Exit codes: 0 measured; 2 set-up failed; 3 an
arm failed; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil
from generators import SCENARIO_DIR, check_runs, horde_executable
from measure import ScenarioError, read_aggregated
from multiprocess import read_master_json, sleep_while_alive
from nginx_target import Nginx, SetupError, ensure_nginx, free_port
from processes import Supervisor, tail
from table import print_rows
from throughput import run_guarded

BENCH_DIR = Path(__file__).resolve().parent
FLEET_SCRIPT = BENCH_DIR / "worker_fleet.py"
LOCUSTFILE = SCENARIO_DIR / "fleet_20_names.py"
ARMS = {
    "horde": "simulated, Horde's histograms",
    "locust": "simulated, Locust's codec only",
    "idle": "simulated, no requests",
    "real": "real worker processes",
}
MASTER_CPU, FLEET_CPU = 0, 1
SPAWNED = re.compile(r"All users spawned")
LOOP_LAG = re.compile(r"Results limited by the load generator: .*?loop lag p99 (\d+) ms")


@dataclass(frozen=True)
class ArmResult:
    arm: str
    window_s: float
    master_cpu_s: float  # user + system over the window
    master_user_s: float
    master_lifetime_cpu_s: float  # its whole life (imports, start-up and shutdown included)
    master_rss_mib: float  # at the window's end
    fleet_cores: float  # the workers' CPU over the window, in cores
    fleet_memory_mib: float | None  # real workers: PSS of all of them (shared pages split between them)
    master_requests: int  # the sum over the master's --json-file entries
    csv_requests: int | None  # the master's _stats.csv Aggregated row
    sent_requests: int | None  # what the simulated workers sent, or nginx counted (real workers)
    stats_messages: int | None
    stats_bytes: int | None
    largest_stats: int | None
    codecs: dict[str, int] | None
    loop_lag_ms: int | None  # the highest loop-lag p99 of the workers' windows the master logged

    @property
    def master_share(self) -> float:
        """The master's share of one core over the window."""
        return self.master_cpu_s / self.window_s


def master_command(args: argparse.Namespace, port: int, host: str, prefix: Path) -> list[str]:
    return [
        "taskset", "-c", str(MASTER_CPU), *horde_executable(), "-f", str(LOCUSTFILE),
        "--master", "--headless", "--expect-workers", str(args.workers), "--expect-workers-max-wait", "90",
        "-u", str(args.users), "-r", str(args.users), "-t", f"{args.run_time}s",
        "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port), "--host", host,
        "--csv", str(prefix), "--json-file", str(prefix),
    ]  # fmt: skip


def fleet_command(args: argparse.Namespace, arm: str, port: int, result: Path) -> list[str]:
    pin = ["taskset", "-c", str(FLEET_CPU)]
    if arm == "real":
        return [
            *pin, *horde_executable(), "-f", str(LOCUSTFILE), "--worker", "--processes", str(args.workers),
            "--master-host", "127.0.0.1", "--master-port", str(port), "--only-summary",
        ]  # fmt: skip
    rate = 0.0 if arm == "idle" else args.rate
    codec = "horde" if arm == "idle" else arm
    return [
        *pin, sys.executable, str(FLEET_SCRIPT), "--master-port", str(port), "--workers", str(args.workers),
        "--rate", str(rate), "--codec", codec, "--result", str(result),
        "--max-seconds", str(args.run_time + 120),
    ]  # fmt: skip


def wait_for_line(
    pattern: re.Pattern[str], log: Path, process: subprocess.Popen[bytes], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ScenarioError(f"the master exited before {pattern.pattern!r}:\n{tail(log)}")
        try:
            if pattern.search(log.read_text(errors="replace")):
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise ScenarioError(f"no {pattern.pattern!r} in the master's log within {timeout:.0f}s:\n{tail(log)}")


def wait_with_rusage(process: subprocess.Popen[bytes], timeout: float, log: Path) -> float:
    """Wait for ``process`` (our child) to end; its whole life's CPU seconds (user + system)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)  # Popen learns it here
            return usage.ru_utime + usage.ru_stime
        time.sleep(0.1)
    raise ScenarioError(f"the master did not end within {timeout:.0f}s of its ramp:\n{tail(log)}")


def worst_loop_lag(log: Path) -> int | None:
    """The worst loop-lag p99 of a worker's limited window, as the master logs it (real workers
    only: simulated ones send no health windows)."""
    found = [int(m.group(1)) for m in LOOP_LAG.finditer(log.read_text(errors="replace"))]
    return max(found) if found else None


def tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_cpu(pid: int) -> float:
    total = 0.0
    for process in tree(pid):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def tree_pss_mib(pid: int) -> float:
    total = 0
    for process in tree(pid):
        try:
            total += process.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total / 2**20


def run_arm(
    args: argparse.Namespace, arm: str, nginx: Nginx, supervisor: Supervisor, run_dir: Path
) -> ArmResult:
    port = free_port()
    prefix = run_dir / "stats"
    result = run_dir / "fleet.json"
    master_log, fleet_log = run_dir / "master.log", run_dir / "fleet.log"
    master_argv = master_command(args, port, nginx.url, prefix)
    fleet_argv = fleet_command(args, arm, port, result)
    print(f"  {' '.join(master_argv)}\n  {' '.join(fleet_argv)}", flush=True)
    nginx_before = nginx.requests()
    master = supervisor.start(master_argv, cpu=MASTER_CPU, log_path=master_log)
    fleet = supervisor.start(fleet_argv, cpu=FLEET_CPU, log_path=fleet_log)
    try:
        wait_for_line(SPAWNED, master_log, master, timeout=120)
        sleep_while_alive(args.settle, master, master_log)
        handle = psutil.Process(master.pid)
        start = (time.perf_counter(), handle.cpu_times(), tree_cpu(fleet.pid))
        sleep_while_alive(args.window, master, master_log)
        end = (time.perf_counter(), handle.cpu_times(), tree_cpu(fleet.pid))
        rss = handle.memory_info().rss / 2**20
        fleet_memory = tree_pss_mib(fleet.pid) if arm == "real" else None
        lifetime_cpu = wait_with_rusage(master, timeout=args.run_time + 60, log=master_log)
        try:
            fleet.wait(timeout=30)
        except subprocess.TimeoutExpired:
            raise ScenarioError(f"the workers did not end with their master:\n{tail(fleet_log)}") from None
    finally:
        master_code = supervisor.stop(master, grace=30)
        supervisor.stop(fleet, grace=30)
    if master_code not in (0, 1):  # 1: requests failed (Locust's --exit-code-on-error)
        raise ScenarioError(f"the master exited with {master_code}:\n{tail(master_log)}")
    wall = end[0] - start[0]
    master_requests, _ = read_master_json(prefix.with_name(prefix.name + ".json"))
    csv_requests, _, _ = read_aggregated(prefix)
    sent = json.loads(result.read_text()) if arm != "real" else None
    return ArmResult(
        arm=arm,
        window_s=wall,
        master_cpu_s=(end[1].user + end[1].system) - (start[1].user + start[1].system),
        master_user_s=end[1].user - start[1].user,
        master_lifetime_cpu_s=lifetime_cpu,
        master_rss_mib=rss,
        fleet_cores=(end[2] - start[2]) / wall,
        fleet_memory_mib=fleet_memory,
        master_requests=master_requests,
        csv_requests=csv_requests,
        sent_requests=sent["requests"] if sent else nginx.requests() - nginx_before,
        stats_messages=sent["messages"].get("stats") if sent else None,
        stats_bytes=sent["bytes"].get("stats") if sent else None,
        largest_stats=sent["largest_stats"] if sent else None,
        codecs=sent["codecs"] if sent else None,
        loop_lag_ms=worst_loop_lag(master_log),
    )


def run_arms(args: argparse.Namespace, supervisor: Supervisor) -> list[ArmResult]:
    problem = check_runs(horde_executable())
    if problem is not None:
        raise SetupError(f"Horde is not runnable: {problem}")
    work = args.work_dir / "master-merge"
    nginx = Nginx(ensure_nginx(), work / "nginx", workers=1, pin_workers=True)  # on core 1
    nginx.start(supervisor, cpu=0)  # unpinned: nginx pins its workers itself
    stamp = time.strftime("%Y%m%d-%H%M%S")
    results = []
    for arm in args.arms:
        print(f"[{arm}] {ARMS[arm]}", flush=True)
        result = run_arm(args, arm, nginx, supervisor, work / "runs" / stamp / arm)
        print(
            f"  master {result.master_share:.1%} of a core ({result.master_cpu_s:.2f} CPU-s in "
            f"{result.window_s:.1f} s), count {result.master_requests:,} against "
            f"{result.sent_requests:,} sent",
            flush=True,
        )
        results.append(result)
    return results


def print_report(args: argparse.Namespace, results: list[ArmResult]) -> None:
    print()
    print(
        f"Master with {args.workers} workers, -u {args.users}, 20 names; CPU over {args.window:g} s from "
        f"{args.settle:g} s after the ramp (simulated workers: {args.rate:,.0f} requests/s each)"
    )
    rows: list[tuple[str, ...]] = [
        (
            "arm", "master CPU (% of a core)", "user/system s", "whole life CPU-s", "master RSS MiB",
            "stats msgs", "avg stats frame", "master count", "sent / nginx count", "master - sent",
            "CSV count", "workers' loop lag p99", "workers' CPU (cores)", "workers' PSS MiB",
        )
    ]  # fmt: skip
    for r in results:
        rows.append(
            (
                ARMS[r.arm],
                f"{r.master_share:.1%}",
                f"{r.master_user_s:.2f}/{r.master_cpu_s - r.master_user_s:.2f}",
                f"{r.master_lifetime_cpu_s:.2f}",
                f"{r.master_rss_mib:.0f}",
                f"{r.stats_messages:,}" if r.stats_messages else "-",
                f"{r.stats_bytes / r.stats_messages:,.0f} B" if r.stats_messages and r.stats_bytes else "-",
                f"{r.master_requests:,}",
                f"{r.sent_requests:,}" if r.sent_requests is not None else "-",
                f"{r.master_requests - r.sent_requests:+,}" if r.sent_requests is not None else "-",
                f"{r.csv_requests:,}" if r.csv_requests is not None else "-",
                f"{r.loop_lag_ms} ms" if r.loop_lag_ms is not None else "-",
                f"{r.fleet_cores:.2f}",
                f"{r.fleet_memory_mib:,.0f}" if r.fleet_memory_mib is not None else "-",
            )
        )
    print_rows(rows)
    print("target: under 20 % of one core")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--arms", default="horde,locust", help=f"comma-separated: {', '.join(ARMS)}")
    parser.add_argument("--workers", type=int, default=100)
    parser.add_argument("--users", type=int, default=200, help="-u and -r (default 200)")
    parser.add_argument("--rate", type=float, default=1000.0, help="requests/s per simulated worker")
    parser.add_argument("--run-time", type=int, default=30, help="the master's -t (default 30)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after the ramp (default 3)")
    parser.add_argument("--window", type=float, default=20.0, help="measured seconds (default 20)")
    parser.add_argument("--work-dir", type=Path, default=BENCH_DIR / ".work", help="default bench/.work")
    args = parser.parse_args(argv)
    args.arms = [arm.strip() for arm in args.arms.split(",") if arm.strip()]
    unknown = sorted(set(args.arms) - set(ARMS))
    if unknown:
        parser.error(f"unknown arm(s): {', '.join(unknown)}")
    if args.settle + args.window > args.run_time - 3:
        parser.error("--settle + --window must end 3 s before --run-time")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    supervisor = Supervisor(pin=False)  # the command lines pin (taskset) themselves
    code, results = run_guarded(supervisor, lambda: run_arms(args, supervisor))
    if results is None:
        return code
    print_report(args, results)
    path = args.work_dir / "master-merge" / f"results-{'-'.join(args.arms)}-rate{args.rate:g}.json"
    path.write_text(json.dumps({"args": vars(args) | {"work_dir": str(args.work_dir)},
                                "results": [asdict(r) for r in results]}, indent=2))  # fmt: skip
    print(f"raw results: {path}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ScenarioError as error:
        print(f"ARM FAILED: {error}", file=sys.stderr)
        sys.exit(3)
