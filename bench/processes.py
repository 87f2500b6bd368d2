"""The benchmark's child processes: started pinned to a core, always stopped at the end.

Each child gets its own session (process group), so Ctrl-C in the terminal reaches only the
benchmark, which then stops its children in order; and a child that forks (nginx's master and
worker) is stopped as a whole group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import psutil


class Supervisor:
    """Starts processes and remembers them until they are stopped; ``stop_all`` is idempotent."""

    def __init__(self, pin: bool) -> None:
        self._pin = pin
        self._running: list[subprocess.Popen[bytes]] = []

    def start(
        self,
        argv: Sequence[str],
        *,
        cpu: int,
        log_path: Path,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` (under ``taskset -c CPU`` when pinning) with stdout+stderr to ``log_path``."""
        command = ["taskset", "-c", str(cpu), *argv] if self._pin else list(argv)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                start_new_session=True,
            )
        self._running.append(process)
        return process

    def stop(
        self, process: subprocess.Popen[bytes], signum: int = signal.SIGTERM, grace: float = 15.0
    ) -> int:
        """Signal the process's group, wait up to ``grace`` seconds, then SIGKILL the group."""
        if process.poll() is None:
            _signal_group(process, signum)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                print(f"  pid {process.pid} did not exit within {grace:.0f}s; killing it")
        # The leader may be gone while children it forked linger in the group.
        _signal_group(process, signal.SIGKILL)
        returncode = process.wait(timeout=grace)
        if process in self._running:
            self._running.remove(process)
        return returncode

    def stop_all(self) -> None:
        for process in reversed(list(self._running)):
            self.stop(process, grace=5.0)


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def cpu_times(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of a process and all its descendants (0 for those already gone)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0, 0.0
    user = system = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        user += times.user
        system += times.system
    return user, system


def cpu_seconds(pid: int) -> float:
    """User+system CPU time of a process and all its descendants (0 for those already gone)."""
    return sum(cpu_times(pid))


def tail(path: Path, lines: int = 15) -> str:
    """The last lines of a log file, for error messages."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])
