"""The load generators under test, in one table, and the command line that runs each of them.

Both tools take the same Locust flags, so one function builds every command line; a scenario only
says which tool runs which locustfile on which workload. wrk, the ceiling, and bare_asyncio.py, the
Python floor, have their own lines.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from workloads import LATENCY_DELAYS_MS, latency_key

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
BARE_SCRIPT = Path(__file__).resolve().parent / "bare_asyncio.py"


@dataclass(frozen=True)
class Scenario:
    key: str  # the generator, the same across workloads: what --only selects
    label: str
    tool: str  # "locust", "horde", "wrk" or "bare"
    locustfile: str  # file name in bench/scenarios/ ("" for wrk and bare)
    workload: str = "get"  # a key of workloads.WORKLOADS
    env: tuple[str, ...] = ()  # NAME=value settings for the generator's process

    @property
    def id(self) -> str:
        """Unique over the whole suite: results, run directories and results.json use it."""
        return f"{self.workload}/{self.key}"


_LOCUST_FAST = "Locust 2.47 FastHttpUser"
_HORDE_HTTP = "Horde HttpUser (def task)"
_HORDE_FAST = "Horde FastHttpUser"


def _trio(workload: str, fast_file: str, http_file: str) -> tuple[Scenario, ...]:
    """The reference and Horde's two user classes on one workload."""
    return (
        Scenario("locust-fast", _LOCUST_FAST, "locust", fast_file, workload),
        Scenario("horde-http", _HORDE_HTTP, "horde", http_file, workload),
        Scenario("horde-fast", _HORDE_FAST, "horde", fast_file, workload),
    )


# The GET workload's Locust-style rows. bench/instructions.py counts instructions for these.
SCENARIOS: tuple[Scenario, ...] = (
    Scenario("locust-fast", _LOCUST_FAST, "locust", "fast_http_user.py"),
    Scenario("horde-http", _HORDE_HTTP, "horde", "http_user.py"),
    Scenario("locust-http", "Locust 2.47 HttpUser", "locust", "http_user.py"),
    Scenario("horde-async", "Horde HttpUser (async def task)", "horde", "async_task.py"),
    Scenario("horde-fast", _HORDE_FAST, "horde", "fast_http_user.py"),
    Scenario("horde-paced", "Horde HttpUser, paced (verdict control)", "horde", "paced_http_user.py"),
)
# Everything bench/throughput.py runs, in table order: the rows above, wrk as the GET ceiling, bare
# asyncio as what Horde's parts do without Horde, and the other workloads, each with its own Locust
# FastHttpUser reference.
SUITE: tuple[Scenario, ...] = (
    *SCENARIOS,
    # Horde without gevent's patching (horde.concurrency.cooperative): what cooperative blocking costs.
    Scenario(
        "horde-http-nogevent",
        "Horde HttpUser, HORDE_NO_GEVENT=1",
        "horde",
        "http_user.py",
        env=("HORDE_NO_GEVENT=1",),
    ),
    Scenario("wrk", "wrk (C, the ceiling)", "wrk", ""),
    Scenario("bare", "bare asyncio + httptools (no framework)", "bare", ""),
    *_trio("post-json", "post_json_fast.py", "post_json_http.py"),
    # FastHttpUser does not verify certificates by default, in Locust and in Horde alike.
    *_trio("https", "fast_http_user.py", "https_http.py"),
    *_trio("names-1", "names_1_fast.py", "names_1_http.py"),
    *_trio("names-1000", "names_1000_fast.py", "names_1000_http.py"),
    # Latency: the plain GET locustfiles, run far below saturation against the delay server.
    *(
        scenario
        for delay in LATENCY_DELAYS_MS
        for scenario in (
            Scenario("locust-fast", _LOCUST_FAST, "locust", "fast_http_user.py", latency_key(delay)),
            Scenario("horde-http", _HORDE_HTTP, "horde", "http_user.py", latency_key(delay)),
        )
    ),
)
REFERENCE_KEY = "locust-fast"
GENERATOR_KEYS: tuple[str, ...] = tuple(dict.fromkeys(scenario.key for scenario in SUITE))


def generator_argv(
    executable: list[str],
    scenario: Scenario,
    *,
    host: str,
    users: int,
    run_time_s: int,
    csv_prefix: Path,
    summary_json: Path | None = None,
) -> list[str]:
    """The headless command line, identical for both tools apart from the executable (and, for
    Horde, the summary that carries its generator-health verdict).

    Users are all spawned within the first second (spawn rate = user count), so the warm-up
    before the measured window covers the ramp.
    """
    extra = ["--summary-json", str(summary_json)] if summary_json is not None else []
    return [
        *(["env", *scenario.env] if scenario.env else []),
        *executable,
        "-f",
        str(SCENARIO_DIR / scenario.locustfile),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{run_time_s}s",
        "--host",
        host,
        "--csv",
        str(csv_prefix),
        *extra,
    ]


def wrk_argv(executable: list[str], *, url: str, connections: int, run_time_s: int) -> list[str]:
    """wrk with one thread (one core, like the other generators) and one connection per user.

    ``--latency`` only adds the percentile table wrk prints when it stops (SIGINT), for the log.
    """
    return [*executable, "-t1", f"-c{connections}", f"-d{run_time_s}s", "--latency", f"{url}/"]


def bare_argv(executable: list[str], *, url: str, connections: int, run_time_s: int) -> list[str]:
    """bench/bare_asyncio.py, one coroutine and connection per user, like wrk's connections."""
    return [
        *executable,
        str(BARE_SCRIPT),
        "--url",
        url,
        "--connections",
        str(connections),
        "--seconds",
        str(run_time_s),
    ]


def horde_executable() -> list[str]:
    """Horde from the interpreter running this script: its console script, else ``-m horde``."""
    script = Path(sys.executable).with_name("horde")
    return [str(script)] if script.exists() else [sys.executable, "-m", "horde"]


def check_runs(executable: list[str]) -> str | None:
    """None when ``EXECUTABLE --version`` succeeds, else why it did not."""
    try:
        result = subprocess.run(
            [*executable, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip().splitlines()
        return output[-1] if output else f"exit code {result.returncode}"
    return None
