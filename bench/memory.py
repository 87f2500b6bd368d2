"""Resident memory per mostly-waiting user, Horde against Locust 2.47, at 10k, 50k and 100k users.

Each user of ``scenarios/waiting_*.py`` waits ``between(1, 5)`` seconds between requests and
keeps its connection, as most users of a real load test do most of the time. For each generator
and user count the script starts the run, waits until nginx sees (almost) every user connected,
lets it settle, and reads the generator's resident set size (RSS, its whole process tree).
Per user = (RSS at N users - RSS at 1 user) / (N - 1): the interpreter and the imports cancel.

    python bench/memory.py                          # 10k, 50k, 100k users; every generator
    python bench/memory.py --users 10000 --only horde-async,locust-fast

Needs a few GiB of RAM at 100k users (Locust's HttpUser takes ~35 KiB each) and one open file
per user: the script raises its open-files limit (as root it can raise the hard limit too) and
says so when it cannot, skipping the counts that do not fit. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil
from generators import SCENARIO_DIR, horde_executable
from locust_env import ensure_locust
from nginx_target import Nginx, SetupError, ensure_nginx
from processes import Supervisor

WORK_DIR = Path(__file__).resolve().parent / ".work"
CONNECTIONS_PER_PORT = 25_000  # below the ~28,000 ephemeral ports one target address:port allows
SPAWN_RATE = 5_000


@dataclass(frozen=True)
class Generator:
    key: str
    label: str
    tool: str
    locustfile: str
    target_kib: float | None  # the ceiling for Horde; None for the references


GENERATORS = (
    Generator("horde-async", "Horde HttpUser, async def task", "horde", "waiting_async_user.py", 8.0),
    Generator("horde-http", "Horde HttpUser, def task", "horde", "waiting_http_user.py", 12.0),
    Generator("horde-fast", "Horde FastHttpUser", "horde", "waiting_fast_http_user.py", 12.0),
    Generator("locust-http", "Locust 2.47 HttpUser", "locust", "waiting_http_user.py", None),
    Generator("locust-fast", "Locust 2.47 FastHttpUser", "locust", "waiting_fast_http_user.py", None),
)


def raise_files_limit(needed: int) -> int:
    """Raise this process's open-files limit (children inherit it); returns the limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed and os.geteuid() == 0:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (needed, needed))
            return needed
        except (ValueError, OSError) as error:  # root without CAP_SYS_RESOURCE (a container)
            print(f"could not raise the hard open-files limit from {hard:,} to {needed:,}: {error}")
    target = hard if hard == resource.RLIM_INFINITY else min(hard, max(soft, needed))
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return sys.maxsize if target == resource.RLIM_INFINITY else target


def tree_rss(pid: int) -> int:
    process = psutil.Process(pid)
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += child.memory_info().rss
    return total


def measure_rss(
    supervisor: Supervisor,
    executable: list[str],
    generator: Generator,
    nginx: Nginx,
    users: int,
    args: argparse.Namespace,
) -> tuple[int | None, int, str]:
    """(RSS, users connected, note) once ``users`` are connected and settled.

    A generator too slow to connect them all within the timeout (Locust, well before 100k) is
    measured as far as it got: the RSS with the users it did connect, and a note saying so.
    """
    log = WORK_DIR / "memory" / f"{generator.key}-{users}.log"
    argv = [
        *executable, "-f", str(SCENARIO_DIR / generator.locustfile), "--headless",
        "-u", str(users), "-r", str(min(users, SPAWN_RATE)), "-t", "30m",
        "--host", nginx.urls[0], "--only-summary",
    ]  # fmt: skip
    env = {**os.environ, "BENCH_TARGETS": " ".join(nginx.urls)}
    before = nginx.active_connections()
    process = supervisor.start(argv, cpu=0, log_path=log, env=env)
    try:
        deadline = time.monotonic() + args.connect_timeout
        note = ""
        while nginx.active_connections() - before < users * 0.99:
            if process.poll() is not None:
                return None, 0, f"exited with code {process.returncode} (see {log})"
            if time.monotonic() > deadline:
                reached = nginx.active_connections() - before
                note = f"only {reached:,} of {users:,} connected in {args.connect_timeout:g} s"
                break
            time.sleep(0.5)
        time.sleep(args.settle)
        samples = []
        for _ in range(3):
            samples.append(tree_rss(process.pid))
            time.sleep(1)
        connected = min(users, nginx.active_connections() - before)
        return sorted(samples)[1], connected, note
    finally:
        supervisor.stop(process)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", default="10000,50000,100000", help="comma-separated user counts")
    parser.add_argument("--only", help="comma-separated generator keys")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds after all users connected")
    parser.add_argument("--connect-timeout", type=float, default=180.0, help="seconds to connect all users")
    args = parser.parse_args(argv)
    counts = sorted(int(n) for n in args.users.split(","))
    wanted = set(args.only.split(",")) if args.only else {g.key for g in GENERATORS}
    generators = [g for g in GENERATORS if g.key in wanted]
    # Each user is one socket in the generator and one in nginx: separate processes, each needs
    # its own limit (inherited from this one).
    limit = raise_files_limit(max(counts) + 1_000)
    fitting = [n for n in counts if n + 1_000 <= limit]
    for n in counts:
        if n not in fitting:
            print(
                f"skipping {n:,} users: this system allows {limit:,} open files per process "
                "(the hard limit; raising it needs root with CAP_SYS_RESOURCE)",
                flush=True,
            )
    supervisor = Supervisor(pin=(os.cpu_count() or 1) >= 2)
    results: dict[tuple[str, int], tuple[float | None, str]] = {}
    try:
        ports = math.ceil(max(fitting or [1]) / CONNECTIONS_PER_PORT)
        nginx = Nginx(
            ensure_nginx(), WORK_DIR / "nginx-memory", ports=ports, max_connections=max(counts) + 1_000
        )
        nginx.start(supervisor, cpu=1)
        tools = {"horde": horde_executable()}
        if any(g.tool == "locust" for g in generators):
            tools["locust"] = [str(ensure_locust(WORK_DIR / "locust-venv"))]
        for generator in generators:
            base, _, why = measure_rss(supervisor, tools[generator.tool], generator, nginx, 1, args)
            for n in fitting:
                if base is None:
                    results[(generator.key, n)] = (None, f"1-user baseline failed: {why}")
                    continue
                print(f"{generator.label}: {n:,} users ...", flush=True)
                rss, connected, why = measure_rss(
                    supervisor, tools[generator.tool], generator, nginx, n, args
                )
                per_user = None if rss is None or connected < 2 else (rss - base) / (connected - 1) / 1024
                results[(generator.key, n)] = (per_user, why)
                print(f"  {per_user:.1f} KiB/user" if per_user is not None else f"  {why}", flush=True)
    except SetupError as error:
        print(f"set-up failed: {error}", file=sys.stderr)
        return 2
    finally:
        supervisor.stop_all()
    print_table(generators, fitting, results)
    return 0


def print_table(
    generators: list[Generator], counts: list[int], results: dict[tuple[str, int], tuple[float | None, str]]
) -> None:
    print("\nResident memory per mostly-waiting user (KiB; between(1, 5), one kept-alive connection each)")
    header = ["Generator", *[f"{n:,} users" for n in counts], "target"]
    rows = [header]
    for generator in generators:
        cells = [generator.label]
        for n in counts:
            value, why = results.get((generator.key, n), (None, "not run"))
            cells.append("n/a" if value is None else f"{value:.1f}" + ("*" if why else ""))
        cells.append(f"<= {generator.target_kib:g}" if generator.target_kib else "reference")
        rows.append(cells)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    for (key, n), (value, why) in sorted(results.items()):
        if why:
            print(f"{'*' if value is not None else ''}{key} at {n:,} users: {why}")


if __name__ == "__main__":
    sys.exit(main())
