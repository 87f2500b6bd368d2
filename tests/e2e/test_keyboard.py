"""Locust's keys in a terminal: w/W add 1/10 users, s/S stop 1/10, at 100 users/s."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import termios
import time
from pathlib import Path

from e2e_support import clean_env, locustfile


def wait_for(log: Path, text: str, process: subprocess.Popen[bytes], times: int = 1) -> None:
    deadline = time.monotonic() + 20
    while log.read_text().count(text) < times:
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)


def test_keys_change_the_user_count_and_the_terminal_is_restored(tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    settings = termios.tcgetattr(terminal)
    log = tmp_path / "log"
    env = clean_env()
    args = ["-f", locustfile("idle.py"), "--headless", "-u", "0", "-t", "30s", "--only-summary"]
    try:
        with log.open("w") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "horde", *args], stdin=terminal, stdout=sink, stderr=sink, env=env
            )
        try:
            wait_for(log, 'All users spawned: {"Idle": 0} (0 total users)', process)
            steps = [
                (b"w", '{"Idle": 1} (1 total users)'),
                (b"W", '{"Idle": 11} (11 total users)'),
                (b"s", '{"Idle": 10} (10 total users)'),
                (b"S", '{"Idle": 0} (0 total users)'),
            ]
            for key, counts in [*steps, (b"xS", steps[-1][1])]:  # x is no key; S at zero stays at 0
                line = f"All users spawned: {counts}"
                seen = log.read_text().count(line)
                os.write(controller, key)
                wait_for(log, line, process, times=seen + 1)
            process.send_signal(2)
            assert process.wait(timeout=20) == 0, log.read_text()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        output = log.read_text()
        for users in (1, 11, 10, 0):
            assert f"Ramping to {users} users at a rate of 100.00 per second" in output
        assert output.count("Ramping to") == 6  # -u 0, four keys and the last S: the x did nothing
        assert output.index("Exiting due to CTRL+C interruption") < output.index("Shutting down")
        # Locust's order of the first lines, which scripts follow
        starting, limit = output.index("Starting Locust"), output.index("Run time limit set to 30 seconds")
        assert starting < limit < output.index("Ramping to 0 users at a rate of 1.00 per second")
        assert termios.tcgetattr(terminal) == settings  # cbreak mode undone at the end
    finally:
        os.close(controller)
        os.close(terminal)


def test_without_a_terminal_keys_are_not_read_and_the_run_logs_as_locusts() -> None:
    args = ["-f", locustfile("idle.py"), "--headless", "-t", "1s", "--loglevel", "DEBUG"]
    result = subprocess.run(
        [sys.executable, "-m", "horde", *args],
        input="w",
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "Terminal was not a tty. Keyboard input disabled" in result.stderr
    assert 'All users spawned: {"Idle": 1} (1 total users)' in result.stderr
    assert "Ramping to 2 users" not in result.stderr
    # Locust's debug lines for the ramp, and its console table from the first moment of a 1 s run
    assert 'Spawning additional {"Idle": 1} ({"Idle": 0} already running)...' in result.stderr
    assert re.search(r"Aggregated[\s\S]*Shutting down[\s\S]*Aggregated", result.stderr)


def test_a_background_job_leaves_the_terminal_alone() -> None:
    """``horde ... &`` in a shell: changing the terminal's mode would stop the job (SIGTTOU)."""
    controller, terminal = pty.openpty()
    # A session whose controlling terminal is the pty (the shell), running horde in a process
    # group of its own, not the terminal's foreground one (the job).
    launcher = (
        "import fcntl, os, subprocess, sys, termios\n"
        "os.setsid()\n"
        "fcntl.ioctl(0, termios.TIOCSCTTY, 0)\n"
        "sys.exit(subprocess.run(sys.argv[1:], process_group=0).returncode)\n"
    )
    env = clean_env()
    args = ["-f", locustfile("idle.py"), "--headless", "-t", "1s", "--loglevel", "DEBUG"]
    try:
        result = subprocess.run(
            [sys.executable, "-c", launcher, sys.executable, "-m", "horde", *args],
            stdin=terminal,
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
        )
    finally:
        os.close(controller)
        os.close(terminal)
    assert result.returncode == 0, result.stderr
    assert "Running in the background. Keyboard input disabled" in result.stderr
