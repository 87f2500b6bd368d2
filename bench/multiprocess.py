"""``--processes 2`` against one process, on this machine's two cores, against nginx.

    python bench/multiprocess.py                          # 4 rounds of 15 s runs; nginx 1 worker, unpinned
    python bench/multiprocess.py --nginx-workers 2 --pin  # nginx 2 workers, one per core; see --pin
    python bench/multiprocess.py --scenario async_task.py --rounds 5

Each round runs the same headless command twice, in alternating order: once as one process and
once with ``--processes 2`` (a master and two forked workers), against the same nginx:

    horde -f bench/scenarios/<scenario> --headless -u 50 -r 50 -t 15s --host <nginx> --only-summary
          --csv <dir>/stats --json-file <dir>/stats [--processes 2 --master-bind-host 127.0.0.1 ...]

The headline ratio is requests/s of the two arms (medians over the rounds), the requests counted by
the master's own output: the sum of ``num_requests`` in its ``--json-file``, over the span from the
entries' earliest ``start_time`` to their latest ``last_request_timestamp``. Beside it, over a
steady window in the middle of each run, nginx's ``stub_status`` count and the CPU time of both
sides (psutil over each process tree): the generator (the master and its workers apart) and nginx,
plus the whole machine's busy and stolen time. nginx shares the two cores here, so a second
generator process can only take what nginx leaves: requests per generator CPU-second, 1 process
against 2, say whether the generator itself scales. The master's CSV ``Aggregated`` count is
compared with its JSON count, as a check (under ``--processes`` the CSV misses the workers' last
reports: bench/README.md, "Distributed runs").

``--pin``: the single process on core 0, ``--processes 2``'s workers one per core (the master on
core 0), nginx's workers pinned by its own ``worker_cpu_affinity`` (1 worker: core 1; 2 workers:
one per core). Without it nothing is pinned.

Run it with the interpreter Horde is installed in. Exit codes: 0 measured; 2 set-up failed; 3 a run
failed; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil
from generators import SCENARIO_DIR, check_runs, horde_executable
from measure import ScenarioError, read_aggregated, wait_for_traffic
from nginx_target import Nginx, SetupError, ensure_nginx, free_port
from processes import Supervisor, cpu_times, tail
from table import print_rows
from throughput import run_guarded

BENCH_DIR = Path(__file__).resolve().parent
ARMS = ("1 process", "--processes 2")
WORKER_PROCESSES = 2
SETTLE_S = 2.0  # the steady window ends this long before the run's own end


@dataclass(frozen=True)
class Snapshot:
    """Counters at one instant of a run."""

    wall: float
    nginx_requests: int
    generator_cpu: float  # the generator's process tree, user+system seconds
    master_cpu: float  # its root process alone: the master under --processes, everything otherwise
    nginx_cpu: float
    machine_busy: float  # every core, user+nice+system+irq+softirq seconds
    machine_steal: float

    @classmethod
    def take(cls, generator_pid: int, nginx: Nginx) -> Snapshot:
        try:
            own = psutil.Process(generator_pid).cpu_times()
            master = own.user + own.system
        except psutil.NoSuchProcess:
            master = 0.0
        machine = psutil.cpu_times()
        busy = machine.user + machine.nice + machine.system + machine.irq + machine.softirq
        return cls(
            wall=time.perf_counter(),
            nginx_requests=nginx.requests(),
            generator_cpu=sum(cpu_times(generator_pid)),
            master_cpu=master,
            nginx_cpu=nginx.cpu_seconds(),
            machine_busy=busy,
            machine_steal=getattr(machine, "steal", 0.0),
        )


@dataclass(frozen=True)
class Run:
    arm: str
    round: int
    master_requests: int  # the sum over the entries of the master's --json-file
    master_span_s: float  # from their earliest start_time to their latest last_request_timestamp
    csv_requests: int | None  # the Aggregated row of its _stats.csv
    nginx_lifetime: int  # requests nginx served while the generator ran
    window_s: float
    window_requests: int  # nginx's count over the steady window
    generator_cores: float  # CPU over the window, in cores
    master_cores: float
    nginx_cores: float
    machine_cores: float
    steal_cores: float
    exit_code: int

    @property
    def rate(self) -> float:
        """Requests/s by the master's own count."""
        return self.master_requests / self.master_span_s if self.master_span_s > 0 else 0.0

    @property
    def window_rate(self) -> float:
        return self.window_requests / self.window_s

    @property
    def other_cores(self) -> float:
        """What else ran (this script's polling, anything outside the benchmark)."""
        return self.machine_cores - self.generator_cores - self.nginx_cores

    @property
    def per_generator_cpu(self) -> float:
        """Requests per CPU-second of the generator (all its processes), over the window."""
        return self.window_rate / self.generator_cores if self.generator_cores else 0.0


def read_master_json(path: Path) -> tuple[int, float]:
    """(requests, span in seconds) from a Locust-format ``--json-file`` (a list of entries)."""
    entries = json.loads(path.read_text())
    requests = sum(int(entry["num_requests"]) for entry in entries)
    starts = [entry["start_time"] for entry in entries if entry.get("start_time")]
    ends = [entry["last_request_timestamp"] for entry in entries if entry.get("last_request_timestamp")]
    span = max(ends) - min(starts) if starts and ends else 0.0
    return requests, span


def pin_process(pid: int, core: int) -> None:
    """Pin every thread of ``pid`` to ``core`` (sched_setaffinity applies per thread; threads
    started later inherit their creator's mask)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            os.sched_setaffinity(int(task.name), {core})
        except (ProcessLookupError, PermissionError):
            continue


def spread(workers: list[int], pin: bool) -> None:
    """With ``--pin``, worker k on core k."""
    if pin:
        for core, pid in enumerate(workers):
            pin_process(pid, core)


def wait_for_children(pid: int, count: int, log: Path, timeout: float = 30.0) -> list[int]:
    """The pids of the ``count`` worker processes ``pid`` forks (in fork order)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            children = psutil.Process(pid).children()
        except psutil.NoSuchProcess:
            break
        if len(children) >= count:
            return sorted(child.pid for child in children)[:count]
        time.sleep(0.05)
    raise ScenarioError(f"the generator did not fork {count} workers within {timeout:.0f}s:\n{tail(log)}")


def sleep_while_alive(seconds: float, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.perf_counter() + seconds
    while (remaining := deadline - time.perf_counter()) > 0:
        if process.poll() is not None:
            raise ScenarioError(f"{log.stem} exited before the window ended:\n{tail(log)}")
        time.sleep(min(remaining, 0.2))


def command(args: argparse.Namespace, arm: str, host: str, prefix: Path) -> list[str]:
    argv = [
        *horde_executable(), "-f", str(SCENARIO_DIR / args.scenario), "--headless",
        "-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s", "--host", host,
        "--only-summary", "--csv", str(prefix), "--json-file", str(prefix),
    ]  # fmt: skip
    if arm == ARMS[1]:
        argv += [
            "--processes", str(WORKER_PROCESSES),
            "--master-bind-host", "127.0.0.1", "--master-bind-port", str(free_port()),
        ]  # fmt: skip
    # The master and its workers start on core 0; the workers are spread once forked.
    return ["taskset", "-c", "0", *argv] if args.pin else argv


def run_arm(
    args: argparse.Namespace, arm: str, index: int, nginx: Nginx, supervisor: Supervisor, run_dir: Path
) -> Run:
    prefix = run_dir / "stats"
    log = run_dir / "horde.log"
    argv = command(args, arm, nginx.url, prefix)
    print(f"  {' '.join(argv)}", flush=True)
    before = nginx.requests()
    process = supervisor.start(argv, cpu=0, log_path=log)
    workers: list[int] = []
    try:
        if arm == ARMS[1]:
            workers = wait_for_children(process.pid, WORKER_PROCESSES, log)
        wait_for_traffic(nginx, process.poll, before, log)
        spread(workers, args.pin)
        sleep_while_alive(args.warmup, process, log)
        spread(workers, args.pin)  # again: threads a worker started since
        window = args.seconds - args.warmup - SETTLE_S
        start = Snapshot.take(process.pid, nginx)
        sleep_while_alive(window, process, log)
        end = Snapshot.take(process.pid, nginx)
        try:
            process.wait(timeout=args.seconds + 60)
        except subprocess.TimeoutExpired:
            raise ScenarioError(f"the generator did not end after its -t:\n{tail(log)}") from None
    finally:
        exit_code = supervisor.stop(process, grace=30)
    if exit_code != 0:
        raise ScenarioError(f"the generator exited with {exit_code}:\n{tail(log)}")
    master_requests, span = read_master_json(prefix.with_name(prefix.name + ".json"))
    csv_requests, _, _ = read_aggregated(prefix)
    wall = end.wall - start.wall
    return Run(
        arm=arm,
        round=index,
        master_requests=master_requests,
        master_span_s=span,
        csv_requests=csv_requests,
        nginx_lifetime=nginx.requests() - before,
        window_s=wall,
        window_requests=end.nginx_requests - start.nginx_requests,
        generator_cores=(end.generator_cpu - start.generator_cpu) / wall,
        master_cores=(end.master_cpu - start.master_cpu) / wall,
        nginx_cores=(end.nginx_cpu - start.nginx_cpu) / wall,
        machine_cores=(end.machine_busy - start.machine_busy) / wall,
        steal_cores=(end.machine_steal - start.machine_steal) / wall,
        exit_code=exit_code,
    )


def run_rounds(args: argparse.Namespace, supervisor: Supervisor) -> list[Run]:
    problem = check_runs(horde_executable())
    if problem is not None:
        raise SetupError(f"Horde is not runnable: {problem}")
    work = args.work_dir / "multiprocess"
    nginx = Nginx(ensure_nginx(), work / "nginx", workers=args.nginx_workers, pin_workers=args.pin)
    nginx.start(supervisor, cpu=0)  # unpinned: nginx pins its workers itself
    stamp = time.strftime("%Y%m%d-%H%M%S")
    runs: list[Run] = []
    for index in range(1, args.rounds + 1):
        order = ARMS if index % 2 else ARMS[::-1]
        for arm in order:
            print(f"[round {index}/{args.rounds}] {arm}", flush=True)
            slug = "single" if arm == ARMS[0] else "processes"
            run = run_arm(args, arm, index, nginx, supervisor, work / "runs" / stamp / f"{slug}-{index}")
            runs.append(run)
            print(
                f"  master count {run.master_requests:,} in {run.master_span_s:.2f}s = {run.rate:,.0f} "
                "req/s; "
                f"window {run.window_rate:,.0f} req/s; generator {run.generator_cores:.2f} cores "
                f"(master {run.master_cores:.2f}), nginx {run.nginx_cores:.2f}, other "
                f"{run.other_cores:.2f}, steal {run.steal_cores:.2f}",
                flush=True,
            )
    return runs


def median_of(runs: list[Run], attribute: str) -> float:
    return statistics.median(float(getattr(run, attribute)) for run in runs)


def print_report(args: argparse.Namespace, runs: list[Run]) -> None:
    by_arm = {arm: [run for run in runs if run.arm == arm] for arm in ARMS}
    print()
    pinning = "pinned (see --pin)" if args.pin else "unpinned"
    print(
        f"{args.scenario}, {args.users} users, -t {args.seconds}s, nginx worker_processes "
        f"{args.nginx_workers}, {pinning}; medians of {args.rounds} rounds (CPU in cores, over a "
        f"{args.seconds - args.warmup - SETTLE_S:g} s window)"
    )
    rows: list[tuple[str, ...]] = [
        (
            "arm", "req/s (master count)", "each round", "req/s (nginx, window)", "generator CPU",
            "of which master", "nginx CPU", "other", "steal", "req/generator CPU-s",
            "master/nginx count", "CSV/JSON count",
        )
    ]  # fmt: skip
    for arm, arm_runs in by_arm.items():
        rows.append(
            (
                arm,
                f"{median_of(arm_runs, 'rate'):,.0f}",
                " / ".join(f"{run.rate:,.0f}" for run in arm_runs),
                f"{median_of(arm_runs, 'window_rate'):,.0f}",
                f"{median_of(arm_runs, 'generator_cores'):.2f}",
                f"{median_of(arm_runs, 'master_cores'):.2f}",
                f"{median_of(arm_runs, 'nginx_cores'):.2f}",
                f"{median_of(arm_runs, 'other_cores'):.2f}",
                f"{median_of(arm_runs, 'steal_cores'):.2f}",
                f"{median_of(arm_runs, 'per_generator_cpu'):,.0f}",
                f"{statistics.median(r.master_requests / r.nginx_lifetime for r in arm_runs):.4f}",
                f"{statistics.median((r.csv_requests or 0) / r.master_requests for r in arm_runs):.4f}",
            )
        )
    print_rows(rows)
    single, double = by_arm[ARMS[0]], by_arm[ARMS[1]]

    def ratio(attribute: str) -> float:
        return median_of(double, attribute) / median_of(single, attribute)

    per_round = [d.rate / s.rate for s, d in zip(single, double, strict=True)]
    print()
    print(
        f"--processes 2 / 1 process: {ratio('rate'):.2f}x requests/s by the master's count (each round: "
        f"{', '.join(f'{r:.2f}' for r in per_round)}; the issue asks for >= 1.8x), "
        f"{ratio('window_rate'):.2f}x by nginx's count over the window, "
        f"{ratio('per_generator_cpu'):.2f}x requests per generator CPU-second, with "
        f"{ratio('generator_cores'):.2f}x the generator CPU"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=4, help="rounds of both arms (default 4)")
    parser.add_argument("--seconds", type=int, default=15, help="each run's -t (default 15)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before the window (default 3)")
    parser.add_argument("--users", type=int, default=50, help="-u and -r (default 50)")
    parser.add_argument("--scenario", default="http_user.py", help="a GET locustfile in bench/scenarios/")
    parser.add_argument("--nginx-workers", type=int, choices=(1, 2), default=1)
    parser.add_argument("--pin", action="store_true", help="pin as the module docstring says")
    parser.add_argument("--work-dir", type=Path, default=BENCH_DIR / ".work", help="default bench/.work")
    args = parser.parse_args(argv)
    if args.seconds - args.warmup - SETTLE_S < 3:
        parser.error("--seconds must leave a window of at least 3 s after --warmup")
    if args.pin and not {0, 1} <= os.sched_getaffinity(0):
        parser.error("--pin needs cores 0 and 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    supervisor = Supervisor(pin=False)  # pinning is per process here: see command() and --pin
    code, runs = run_guarded(supervisor, lambda: run_rounds(args, supervisor))
    if runs is None:
        return code
    print_report(args, runs)
    pinning = "pinned" if args.pin else "unpinned"
    name = f"results-nginx{args.nginx_workers}-{pinning}-{Path(args.scenario).stem}.json"
    path = args.work_dir / "multiprocess" / name
    document = {"args": {k: str(v) for k, v in vars(args).items()}, "runs": [asdict(r) for r in runs]}
    path.write_text(json.dumps(document, indent=2))
    print(f"raw results: {path}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ScenarioError as error:
        print(f"RUN FAILED: {error}", file=sys.stderr)
        sys.exit(3)
