"""What 1,000 request names cost, measured side by side so that the machine's drift cancels out.

    python bench/cardinality.py [--only horde-http,horde-fast,locust-fast] [--rounds 5] [--seconds 8]
    python bench/cardinality.py --control     # the 1-name locustfile on both sides: the method's error
    python bench/cardinality.py --turns 0.2   # the two take turns on the core (see below)
    python bench/cardinality.py --versus OLD/bin/horde --workload names-1   # two installs, A/B

throughput.py runs ``names-1`` and ``names-1000`` one after the other. On a shared VM the rate of
one configuration moves by 20 % or more from run to run, so a ratio of two runs swings from about
0.6 to 1.1 and five runs cannot tell a 5 % cost from a 15 % one. Here the two generators of a pair
run **in the same window, on the same core** (0), each against its own nginx (both on core 1), so
whatever slows the machine slows both. Each round's figure is the 1,000-name generator's requests
per CPU-second over the 1-name generator's, in the same window; the start order alternates between
rounds. The issue's target: at least 0.90 (1,000 names cost at most 10 % of the throughput).

By default both run at once, sharing the core. With ``--turns 0.2`` they take turns after the
warm-up instead, 0.2 s each, the other one stopped with SIGSTOP: each runs alone at its full rate,
and the machine's drift, slower than a few turns, still falls on both. A side's requests (its
nginx's count over the window) are divided by the CPU time it used in its turns.

Either way the figure is a lower bound. Timers keep wall-clock time, so a generator that gets half
the core does its once-a-second work (console table, CSV, history) about twice as often per
CPU-second as when it runs alone, and that work grows with the names. Sharing the core at once
adds a second bias: the two processes evict each other's caches at every scheduler switch, which
costs the larger working set (1,000 histograms) more; turns evict them five times a second. Turns
of a second or more would let the once-a-second work run at its solo rate, but the machine drifts
between turns that long. An A/A control (``--control``) ranged 1.00-1.01 sharing the core, 0.94-1.07
with 0.2 s turns and 0.94-1.20 with 2 s turns: sharing is the default because its error is the
smallest, and its bias only ever understates what Horde does.

The same pairing compares two installs of Horde: ``--versus`` runs another Horde executable (an
install of an earlier commit, say) on side 0 and this one on side 1, both on ``--workload``, so the
ratio is what a change bought on that workload, free of the machine's drift.

Exit codes: 0 measured; 2 set-up failed; 3 a pair failed; 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generators import SUITE, Scenario, check_runs, generator_argv
from measure import ScenarioError, read_aggregated, run_time_for, wait_for_traffic
from nginx_target import Nginx, ensure_nginx
from processes import Supervisor, cpu_seconds, tail
from report import CARDINALITY_TARGET
from table import print_rows
from throughput import BENCH_DIR, GENERATOR_CPU, TARGET_CPU, can_pin, check_nginx, resolve_tools, run_guarded
from workloads import CARDINALITY_PAIR

ONE, MANY = CARDINALITY_PAIR
PAIRED_KEYS = tuple(s.key for s in SUITE if s.workload == MANY)


@dataclass(frozen=True)
class Side:
    scenario: Scenario
    nginx: Nginx


@dataclass(frozen=True)
class Round:
    per_cpu: tuple[float, float]  # requests per CPU-second: 1-name side, 1,000-name side
    cpu: tuple[float, float]  # each side's share of the core
    entries: tuple[int | None, int | None]  # rows in each side's stats CSV besides Aggregated

    @property
    def ratio(self) -> float:
        return self.per_cpu[1] / self.per_cpu[0]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default=",".join(PAIRED_KEYS), help=f"generators: {', '.join(PAIRED_KEYS)}")
    parser.add_argument(
        "--rounds", type=int, default=5, help="pairs per generator; the median is judged (default 5)"
    )
    parser.add_argument("--seconds", type=float, default=8.0, help="measured window per pair (default 8)")
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="seconds after both sent requests (default 3)"
    )
    parser.add_argument("--users", type=int, default=50, help="users per generator (default 50)")
    parser.add_argument("--control", action="store_true", help=f"run {ONE} on both sides (an A/A check)")
    parser.add_argument(
        "--versus",
        metavar="HORDE",
        help="another Horde executable for side 0 (e.g. an earlier install): both sides run --workload",
    )
    parser.add_argument("--workload", help=f"with --control or --versus: what both sides run (default {ONE})")
    parser.add_argument(
        "--turns",
        type=float,
        default=0.0,
        help="seconds each generator runs alone in turn, e.g. 0.2 (default 0: both share the core)",
    )
    parser.add_argument("--work-dir", type=Path, default=BENCH_DIR / ".work", help="default bench/.work")
    args = parser.parse_args(argv)
    keys = [key.strip() for key in args.only.split(",") if key.strip()]
    args.same = args.workload or ONE if args.control or args.versus else None
    # A pair of one workload may be any generator that runs it (horde-async on get, say).
    known = sorted({s.key for s in SUITE if s.workload == args.same}) if args.same else PAIRED_KEYS
    unknown = [key for key in keys if key not in known]
    if unknown or not keys:
        parser.error(f"--only takes generators from: {', '.join(known)} (got {args.only!r})")
    if args.rounds < 1 or args.seconds <= 0:
        parser.error("--rounds must be at least 1 and --seconds above 0")
    if args.turns < 0 or (args.turns and args.turns * 2 > args.seconds):
        parser.error("--turns takes 0 (share the core) or a turn that fits twice into --seconds")
    if args.workload is not None and not (args.control or args.versus):
        parser.error("--workload goes with --control or --versus")
    if args.versus is not None and any(not key.startswith("horde") for key in keys):
        parser.error("--versus compares Horde installs: --only takes horde-* generators with it")
    if args.versus is not None and (problem := check_runs([args.versus])) is not None:
        parser.error(f"--versus: `{args.versus} --version` failed: {problem}")
    args.keys = keys
    return args


def _scenarios(workload: str, key: str) -> list[Scenario]:
    return [s for s in SUITE if s.workload == workload and s.key == key]


def pair_for(key: str, same: str | None) -> tuple[Scenario, Scenario]:
    """The 1-name and the 1,000-name scenario of a generator, or ``same``'s on both sides."""
    if same is not None:
        scenario = _scenarios(same, key)[0]
        return scenario, scenario
    return _scenarios(ONE, key)[0], _scenarios(MANY, key)[0]


def run_pair(
    sides: tuple[Side, Side],
    executables: tuple[list[str], list[str]],
    args: argparse.Namespace,
    supervisor: Supervisor,
    run_dir: Path,
    first: int,
) -> Round:
    """Both generators at once on the generator core, side ``first`` started first; each side
    counted by its own nginx."""
    order = (first, 1 - first)
    processes: dict[int, subprocess.Popen[bytes]] = {}
    logs = [run_dir / f"side{i}" / "generator.log" for i in (0, 1)]
    prefixes = [run_dir / f"side{i}" / "stats" for i in (0, 1)]
    before = [side.nginx.requests() for side in sides]
    try:
        for i in order:
            argv = generator_argv(
                executables[i],
                sides[i].scenario,
                host=sides[i].nginx.url,
                users=args.users,
                run_time_s=run_time_for(args.warmup, args.seconds),
                csv_prefix=prefixes[i],
            )
            print(f"  side {i}: {' '.join(argv)}", flush=True)
            processes[i] = supervisor.start(argv, cpu=GENERATOR_CPU, log_path=logs[i])
        for i in (0, 1):
            wait_for_traffic(sides[i].nginx, processes[i].poll, before[i], logs[i])
        _sleep_while_both_run(args.warmup, processes, logs)
        start = _sample(sides, processes)
        if args.turns:
            _take_turns(args.seconds, args.turns, [processes[i] for i in order], logs)
        else:
            _sleep_while_both_run(args.seconds, processes, logs)
        end = _sample(sides, processes)
        _check_both_run(processes, logs)
    finally:
        for process in processes.values():
            _signal(process, signal.SIGCONT)  # a stopped process would not act on SIGTERM
            supervisor.stop(process, signal.SIGTERM, grace=30)
    window = end[0] - start[0]
    requests = [end[1][i] - start[1][i] for i in (0, 1)]
    cpu = [end[2][i] - start[2][i] for i in (0, 1)]
    if min(requests) <= 0 or min(cpu) <= 0:
        raise ScenarioError(f"a side sent no requests or used no CPU in the window: {requests}, {cpu}")
    return Round(
        per_cpu=(requests[0] / cpu[0], requests[1] / cpu[1]),
        cpu=(cpu[0] / window, cpu[1] / window),
        entries=(read_aggregated(prefixes[0])[2], read_aggregated(prefixes[1])[2]),
    )


def _take_turns(seconds: float, turn: float, order: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
    """Run one generator at a time for ``turn`` seconds, alternating, for ``seconds`` in all
    (an even number of turns, so both get the same share); both run again at the end."""
    turns = max(2, round(seconds / turn / 2) * 2)
    try:
        for number in range(turns):
            running, stopped = order[number % 2], order[1 - number % 2]
            _signal(stopped, signal.SIGSTOP)
            _signal(running, signal.SIGCONT)
            deadline = time.perf_counter() + seconds / turns
            while (remaining := deadline - time.perf_counter()) > 0:
                if running.poll() is not None:
                    raise ScenarioError(f"a generator exited early:\n{tail(logs[0])}\n{tail(logs[1])}")
                time.sleep(min(remaining, 0.1))
    finally:
        for process in order:
            _signal(process, signal.SIGCONT)


def _signal(process: subprocess.Popen[bytes], signum: int) -> None:
    """Signal the process's group (the supervisor starts each in its own session)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)


def _sleep_while_both_run(
    seconds: float, processes: dict[int, subprocess.Popen[bytes]], logs: list[Path]
) -> None:
    deadline = time.perf_counter() + seconds
    while (remaining := deadline - time.perf_counter()) > 0:
        _check_both_run(processes, logs)
        time.sleep(min(remaining, 0.25))


def _check_both_run(processes: dict[int, subprocess.Popen[bytes]], logs: list[Path]) -> None:
    for i, process in processes.items():
        if process.poll() is not None:
            raise ScenarioError(f"side {i}'s generator exited early:\n{tail(logs[i])}")


def _sample(
    sides: tuple[Side, Side], processes: dict[int, subprocess.Popen[bytes]]
) -> tuple[float, list[int], list[float]]:
    now = time.perf_counter()
    return now, [side.nginx.requests() for side in sides], [cpu_seconds(processes[i].pid) for i in (0, 1)]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    supervisor = Supervisor(pin=can_pin())
    pairs = {key: pair_for(key, args.same) for key in args.keys}
    code, outcome = run_guarded(supervisor, lambda: run_rounds(args, pairs, supervisor))
    if outcome is None:
        return code
    results, failures = outcome
    print_summary(args, pairs, results, failures)
    return 3 if failures else 0


def run_rounds(
    args: argparse.Namespace, pairs: dict[str, tuple[Scenario, Scenario]], supervisor: Supervisor
) -> tuple[dict[str, list[Round]], dict[str, str]]:
    """Every round of every selected pair, round by round; a pair that fails is not run again."""
    results: dict[str, list[Round]] = {key: [] for key in pairs}
    failures: dict[str, str] = {}
    stamp = time.strftime("%Y%m%d-%H%M%S")
    tools, unavailable = resolve_tools([s for pair in pairs.values() for s in pair], args.work_dir)
    servers = []
    for name in ("cardinality-a", "cardinality-b"):
        server = Nginx(ensure_nginx(), args.work_dir / name)
        server.start(supervisor, cpu=TARGET_CPU)
        check_nginx(server)
        servers.append(server)
    for number in range(1, args.rounds + 1):
        for key, (one, many) in pairs.items():
            if key in failures:
                continue
            if one.tool in unavailable:
                failures[key] = unavailable[one.tool]
                continue
            print(
                f"[round {number}/{args.rounds}] {one.label}: {one.locustfile} beside {many.locustfile}",
                flush=True,
            )
            run_dir = args.work_dir / "runs" / stamp / f"cardinality-{key}-{number}"
            sides = (Side(one, servers[0]), Side(many, servers[1]))
            executable = tools[one.tool]
            executables = ([args.versus] if args.versus else executable, executable)
            try:
                result = run_pair(sides, executables, args, supervisor, run_dir, first=number % 2)
            except ScenarioError as exc:
                print(f"  FAILED: {exc}", flush=True)
                failures[key] = str(exc).splitlines()[0]
                continue
            results[key].append(result)
            print(
                f"  {result.per_cpu[0]:,.0f} and {result.per_cpu[1]:,.0f} req/CPU-s (cores "
                f"{result.cpu[0]:.0%} + {result.cpu[1]:.0%}): ratio {result.ratio:.3f}",
                flush=True,
            )
    return results, failures


def print_summary(
    args: argparse.Namespace,
    pairs: dict[str, tuple[Scenario, Scenario]],
    results: dict[str, list[Round]],
    failures: dict[str, str],
) -> None:
    print()
    how = f"taking turns every {args.turns:g} s" if args.turns else "sharing it"
    if args.versus:
        what, goal = f"{args.same}, this Horde beside {args.versus}", "above 1.00: this one is faster"
    elif args.control:
        what, goal = f"{args.same} beside {args.same}", "control: both sides alike, 1.00 is right"
    else:
        what, goal = f"{MANY} beside {ONE}", f"target >= {CARDINALITY_TARGET:.2f}"
    print(f"{what}: requests per CPU-second, same window, same core, {how} ({goal})")
    rows: list[tuple[str, ...]] = [
        ("Generator", "median ratio", "range", "each round", "stats entries", "target")
    ]
    for key, (scenario, _) in pairs.items():
        rounds = results[key]
        if not rounds:
            rows.append((scenario.label, "FAILED", "", failures.get(key, ""), "", ""))
            continue
        ratios = [r.ratio for r in rounds]
        median = statistics.median(ratios)
        entries = sorted({f"{r.entries[0]} / {r.entries[1]}" for r in rounds})
        mark = (
            ""
            if args.same or not key.startswith("horde")
            else ("meets" if median >= CARDINALITY_TARGET else "MISSES")
        )
        rows.append(
            (
                scenario.label,
                f"{median:.3f}",
                f"{min(ratios):.3f}-{max(ratios):.3f}",
                " ".join(f"{x:.2f}" for x in ratios),
                ", ".join(entries),
                mark,
            )
        )
    print_rows(rows)


if __name__ == "__main__":
    sys.exit(main())
