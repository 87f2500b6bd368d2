"""The load generators under test, in one table, and the command line that runs each of them.

Both tools take the same Locust flags, so one function builds every command line; a scenario only
says which tool runs which locustfile.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    tool: str  # "locust" or "horde"
    locustfile: str  # file name in bench/scenarios/


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("locust-fast", "Locust 2.47 FastHttpUser", "locust", "fast_http_user.py"),
    Scenario("horde-http", "Horde HttpUser (def task)", "horde", "http_user.py"),
    Scenario("locust-http", "Locust 2.47 HttpUser", "locust", "http_user.py"),
    Scenario("horde-async", "Horde HttpUser (async def task)", "horde", "async_task.py"),
    Scenario("horde-fast", "Horde FastHttpUser", "horde", "fast_http_user.py"),
    Scenario("horde-paced", "Horde HttpUser, paced (verdict control)", "horde", "paced_http_user.py"),
)
REFERENCE_KEY = "locust-fast"


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
