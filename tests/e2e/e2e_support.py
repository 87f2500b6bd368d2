"""Helpers for end-to-end tests: run the ``horde`` CLI in a subprocess."""

from __future__ import annotations

import csv
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOCUSTFILES = Path(__file__).with_name("locustfiles")


@dataclass
class Target:
    url: str

    def counts(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/__stats", timeout=5) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/__stats/reset", method="POST", data=b"")
        urllib.request.urlopen(request, timeout=5).close()


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def clean_env() -> dict[str, str]:
    """This process's environment without LOCUST_* and HORDE_* settings, and without the run
    history (which would go to .horde/ in the test's working directory, the checkout for many):
    tests/e2e/test_history.py turns it back on."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("LOCUST_", "HORDE_"))}
    environment["HORDE_NO_HISTORY"] = "true"
    return environment


def horde(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> Result:
    """Run ``python -m horde ARGS`` in a subprocess and capture everything."""
    full_env = clean_env()
    full_env.update(env or {})
    completed = subprocess.run(
        [sys.executable, "-m", "horde", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)


def locustfile(name: str) -> str:
    return str(LOCUSTFILES / name)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def stats_rows(prefix: Path) -> dict[tuple[str, str], dict[str, str]]:
    """The rows of ``--csv PREFIX``'s stats file, by (Type, Name); Aggregated's Type is empty."""
    return {(row["Type"], row["Name"]): row for row in read_csv(Path(f"{prefix}_stats.csv"))}


@contextmanager
def web_run(
    *args: str, log: Path, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``horde ARGS --web-port 0`` in a subprocess (``env`` added to its environment): yields it
    and its UI's URL; stopped after."""
    env = {**clean_env(), **(env or {})}
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "horde", *args, "--web-port", "0"],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        deadline = time.monotonic() + 30
        while not (found := re.search(r"Starting web interface at (\S+)", log.read_text())):
            assert time.monotonic() < deadline, log.read_text()
            assert process.poll() is None, log.read_text()
            time.sleep(0.1)
        yield process, found.group(1)
    finally:
        stop(process)


def stop(process: subprocess.Popen[Any]) -> None:
    """Terminate ``process`` (kill it if it takes over 15 s) and reap it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_answers(url: str, process: subprocess.Popen[Any], log: Path, timeout: float = 30) -> None:
    """Until ``url`` answers 2xx; fails with ``log`` if ``process`` exits or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)


LOCUST_VERSION = "2.47.0"
LOCUST_VENV = Path(__file__).resolve().parents[1] / ".work" / "locust-venv"


def real_locust() -> Path:
    """The ``locust`` of a scratch venv holding Locust 2.47.0 (created once; a lock keeps the
    test processes of one run from creating it twice). Locust cannot share Horde's interpreter:
    there ``import locust`` is Horde."""
    import fcntl

    locust = LOCUST_VENV / "bin" / "locust"
    LOCUST_VENV.parent.mkdir(parents=True, exist_ok=True)
    with (LOCUST_VENV.parent / "locust-venv.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _reports(locust, LOCUST_VERSION):
            subprocess.run([sys.executable, "-m", "venv", str(LOCUST_VENV)], check=True)
            subprocess.run(
                [str(LOCUST_VENV / "bin" / "pip"), "install", "--quiet", f"locust=={LOCUST_VERSION}"],
                check=True,
                timeout=600,
            )
            assert _reports(locust, LOCUST_VERSION), f"{locust} is not Locust {LOCUST_VERSION}"
    return locust


def _reports(locust: Path, version: str) -> bool:
    if not locust.exists():
        return False
    result = subprocess.run([str(locust), "--version"], capture_output=True, text=True, timeout=60)
    return result.returncode == 0 and version in result.stdout + result.stderr


def free_port() -> int:
    """A port free on 127.0.0.1 now (for a master to bind)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def master_on(port: int) -> tuple[str, ...]:
    """The flags of a master listening on 127.0.0.1:``port``."""
    return ("--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port))


@contextmanager
def workers(
    count: int, port: int, log_dir: Path, *args: str, env_extra: dict[str, str] | None = None
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` Horde workers of the master at 127.0.0.1:``port``, logging to
    ``log_dir/worker<n>.log``; killed after, if still running."""
    env = {**clean_env(), **(env_extra or {})}
    started = []
    for n in range(count):
        with (log_dir / f"worker{n}.log").open("w") as sink:
            started.append(
                subprocess.Popen(
                    [sys.executable, "-m", "horde", *args, "--worker", "--master-port", str(port)],
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    env=env,
                )
            )
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.wait()
