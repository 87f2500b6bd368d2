"""Do hostile responses slow the other users? Paced users against a well-behaved target, alone and
then beside one user each of an endless header stream, an endless body and a 1 GiB gzip bomb (each
asking once a second; every answer breaks a response limit and fails as ResponseTooLarge).

    python bench/hostile.py                  # 3 pairs of 20 s runs (~3 min)
    python bench/hostile.py --runs 5 --seconds 30
    python bench/hostile.py --max-response-body 16MiB   # the endless body then brings in a quarter
    python bench/hostile.py --apart   # and a third arm: the hostile users in a process of their own

The well-behaved target is ``delay_server.py`` (every response held 5 ms: the known truth), the
hostile one ``hostile_server.py``; both on one core, Horde on the other. 50 ``Normal`` users each
make 20 requests/s (``constant_throughput``), 1,000/s in all, well within one core. Each pair runs
without and with the hostile users, in alternating order; the table compares the Normal users'
requests per second and their reported latency (from ``--summary-json``), medians over the runs,
beside the target's own p99 hold (``/__truth``): the part of a rise that the target, not Horde, added.
With ``--apart`` the hostile users also run in a second Horde process pinned to Horde's core: if
the normal users' p99 rises as much then as in one process, the rise is what receiving that traffic
costs the core, not how Horde's loop handles it.
Run it with the interpreter Horde is installed in.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import urllib.request
from pathlib import Path

from nginx_target import free_port
from processes import Supervisor

BENCH = Path(__file__).resolve().parent
WORK = BENCH / ".work" / "hostile"
NORMAL_USERS = 50
HOSTILE_USERS = 3  # fixed_count classes in scenarios/hostile_mix.py
LABELS = {
    "without": "without hostile users",
    "with": "with hostile users",
    "apart": "hostile users in another process",
}


def horde_run(users: int, seconds: int, target: str, summary: Path, body_limit: str) -> list[str]:
    return [
        sys.executable, "-m", "horde", "-f", str(BENCH / "scenarios" / "hostile_mix.py"), "--headless",
        "-u", str(users), "-r", "1000", "-t", f"{seconds}s", "--host", target, "--only-summary",
        "--summary-json", str(summary), "--max-response-body", body_limit,
    ]  # fmt: skip


def run_once(
    supervisor: Supervisor,
    target: str,
    hostile: str | None,
    arm: str,
    seconds: int,
    index: int,
    body_limit: str,
) -> dict:
    """One run of the normal users; ``arm`` says where the hostile users are: nowhere ("without"),
    in the same process ("with"), or in a second Horde process on the same core ("apart")."""
    summary = WORK / f"{arm}-{index}.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOCUST_", "HORDE_"))}
    apart = None
    if arm == "apart":
        alone = {**env, "HOSTILE": hostile, "HOSTILE_ONLY": "1"}
        argv = horde_run(HOSTILE_USERS, seconds + 4, target, WORK / f"apart-hostile-{index}.json", body_limit)
        apart = supervisor.start(argv, cpu=0, log_path=WORK / f"apart-hostile-{index}.log", env=alone)
        time.sleep(2)  # its users are running before the normal run starts
    if arm == "with":
        env["HOSTILE"] = hostile
    users = NORMAL_USERS + (HOSTILE_USERS if arm == "with" else 0)
    urllib.request.urlopen(target + "/__reset").read()
    argv = horde_run(users, seconds, target, summary, body_limit)
    process = supervisor.start(argv, cpu=0, log_path=WORK / f"{arm}-{index}.log", env=env)
    process.wait(timeout=seconds + 60)
    if apart is not None:
        apart.wait(timeout=60)
    truth = json.loads(urllib.request.urlopen(target + "/__truth").read())
    data = json.loads(summary.read_text())
    normal = next(e for e in data["entries"] if e["name"] == "/" and e["method"] == "GET")
    hostile_failures = sorted({row["error"].split("(")[0] for row in data["errors"] if row["name"] != "/"})
    times = normal["response_time_ms"]
    return {
        "rps": normal["rps"],
        "avg": times["avg"],
        "p50": times["percentiles_ms"]["50"],
        "p99": times["percentiles_ms"]["99"],
        "held_p99": truth["percentiles_ms"]["99"],  # the target's own hold: its share of the p99
        "failures": normal["failures"],
        "hostile": hostile_failures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument(
        "--apart",
        action="store_true",
        help="a third arm: the hostile users in a second process on the same core (what the machine, not "
        "Horde's loop, costs)",
    )
    parser.add_argument(
        "--max-response-body",
        default="64MiB",
        help="the body limit of both runs: the endless body costs what it lets in",
    )
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor(pin=True)
    try:
        target_port, hostile_port = free_port(), free_port()
        delay = [
            sys.executable,
            str(BENCH / "delay_server.py"),
            "--port",
            str(target_port),
            "--delay-ms",
            "5",
        ]
        supervisor.start(delay, cpu=1, log_path=WORK / "delay_server.log")
        # Niced: sending 64 MiB/s and the bombs costs the hostile server a share of core 1, which
        # would otherwise delay the target's answers too (a rise the target, not Horde, adds).
        hostile_argv = [
            "nice",
            "-n",
            "19",
            sys.executable,
            str(BENCH / "hostile_server.py"),
            "--port",
            str(hostile_port),
        ]
        supervisor.start(hostile_argv, cpu=1, log_path=WORK / "hostile_server.log")
        time.sleep(3)  # the bomb is compressed at start
        target, hostile = f"http://127.0.0.1:{target_port}", f"http://127.0.0.1:{hostile_port}"
        arms = ["without", "with", "apart"] if args.apart else ["without", "with"]
        results: dict[str, list[dict]] = {arm: [] for arm in arms}
        for index in range(args.runs):
            for arm in arms if index % 2 == 0 else arms[::-1]:
                result = run_once(
                    supervisor, target, hostile, arm, args.seconds, index, args.max_response_body
                )
                results[arm].append(result)
                print(f"run {index + 1} {LABELS[arm]}: {result}", flush=True)
    finally:
        supervisor.stop_all()
    print()
    print("Normal users (50 x 20 req/s against a 5 ms target), medians over the runs")
    keys = ("rps", "avg", "p50", "p99", "held_p99")
    names = ("req/s", "avg ms", "p50 ms", "p99 ms", "target p99")
    print(f"{'':40}" + "".join(f"{name:>12}" for name in names))
    medians = {
        label: {k: statistics.median(r[k] for r in runs) for k in keys} for label, runs in results.items()
    }
    for arm, row in medians.items():
        print(f"{LABELS[arm]:40}" + "".join(f"{row[k]:>12.2f}" for k in keys))
    for arm in arms[1:]:
        ratio = {k: medians[arm][k] / medians["without"][k] for k in keys}
        print(f"{arm + ' / without':40}" + "".join(f"{ratio[k]:>12.3f}" for k in keys))
    print(f"hostile requests failed with: {sorted({e for r in results['with'] for e in r['hostile']})}")


if __name__ == "__main__":
    main()
