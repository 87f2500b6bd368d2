"""CPU instructions per request of each generator, counted by valgrind: a noise-free reference.

Requests per second on a shared or virtual machine move by 2-3x between runs (CPU steal, other
load). Instructions are counted, not timed, so they repeat to within a fraction of a percent and
give a steady "how much work per request" ratio between Horde and Locust. They leave out kernel
time (both tools make the same two socket calls per request) and cache effects, so they
complement `throughput.py`, they do not replace it.

Each scenario runs twice under ``valgrind --tool=callgrind``, for a short and a long run time;
instructions per request = (instructions_long - instructions_short) / (requests_long -
requests_short), which cancels start-up, spawning and shutdown.

    python bench/instructions.py [--short 40] [--long 80] [--only locust-fast,horde-http]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from generators import REFERENCE_KEY, SCENARIOS, Scenario, generator_argv, horde_executable
from locust_env import ensure_locust
from nginx_target import Nginx, SetupError, ensure_nginx
from processes import Supervisor

WORK_DIR = Path(__file__).resolve().parent / ".work"
USERS = 10
_COLLECTED = re.compile(r"Collected : (\d+)")


def measure(
    supervisor: Supervisor, executable: list[str], scenario: Scenario, nginx: Nginx, seconds: int, out: Path
) -> tuple[int, int]:
    """(instructions, requests nginx served) of one run of ``seconds``.

    No ``--csv`` and ``--only-summary``: under valgrind a generator runs ~50x slower, so work done
    once a second (CSV rewrites, console tables) would weigh ~50x more per request than it does
    at full speed. nginx's counter is the request count, the same referee for both tools.
    """
    command = generator_argv(
        executable, scenario, host=nginx.url, users=USERS, run_time_s=seconds, csv_prefix=out / "s"
    )
    command = [*command[: command.index("--csv")], "--only-summary"]
    argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command]
    log = out / "log.txt"
    before = nginx.requests()
    process = supervisor.start(argv, cpu=0, log_path=log)
    process.wait(timeout=seconds * 10 + 300)
    served = nginx.requests() - before
    found = _COLLECTED.findall(log.read_text(errors="replace"))
    if not found:
        raise RuntimeError(f"{scenario.key}: no instruction count in {log}")
    return int(found[-1]), served


def per_request(
    supervisor: Supervisor, executable: list[str], scenario: Scenario, nginx: Nginx, short: int, long: int
) -> float:
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        i_short, r_short = measure(supervisor, executable, scenario, nginx, short, Path(a))
        i_long, r_long = measure(supervisor, executable, scenario, nginx, long, Path(b))
    if r_long <= r_short:
        raise RuntimeError(f"{scenario.key}: no more requests in the long run ({r_short} vs {r_long})")
    return (i_long - i_short) / (r_long - r_short)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--short", type=int, default=40, help="short run time, seconds (default 40)")
    parser.add_argument("--long", type=int, default=80, help="long run time, seconds (default 80)")
    parser.add_argument("--only", help="comma-separated scenario keys")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is needed: apt-get install valgrind", file=sys.stderr)
        return 2
    # The paced control scenario sends a few requests per second: nothing to count per request.
    wanted = set(args.only.split(",")) if args.only else {s.key for s in SCENARIOS} - {"horde-paced"}
    scenarios = [s for s in SCENARIOS if s.key in wanted]
    supervisor = Supervisor(pin=False)
    try:
        nginx = Nginx(ensure_nginx(), WORK_DIR / "nginx")
        nginx.start(supervisor, cpu=1)
        tools = {"horde": horde_executable()}
        if any(s.tool == "locust" for s in scenarios):
            tools["locust"] = [str(ensure_locust(WORK_DIR / "locust-venv"))]
        results: dict[str, float] = {}
        for scenario in scenarios:
            print(f"{scenario.label}: {args.short} s and {args.long} s under callgrind ...", flush=True)
            results[scenario.key] = per_request(
                supervisor, tools[scenario.tool], scenario, nginx, args.short, args.long
            )
    except SetupError as error:
        print(f"set-up failed: {error}", file=sys.stderr)
        return 2
    finally:
        supervisor.stop_all()
    reference = results.get(REFERENCE_KEY)
    print(f"\nInstructions per request ({USERS} users, no wait; user space only, counted by callgrind)")
    for scenario in scenarios:
        value = results[scenario.key]
        ratio = f"{reference / value:.2f}x less work than Locust FastHttpUser" if reference else ""
        print(f"{scenario.label:<34}{value:>12,.0f}   {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
