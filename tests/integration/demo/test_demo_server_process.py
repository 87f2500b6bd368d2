"""``python -m horde.demo.server`` as a subprocess: announces its URL, serves, exits cleanly."""

from __future__ import annotations

import http.client
import re
import select
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

STARTUP_TIMEOUT = 20.0


@pytest.fixture
def spawn() -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def start(processes: list[subprocess.Popen[str]], *args: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "horde.demo.server", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    processes.append(process)
    return process


def read_first_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    readable, _, _ = select.select([process.stdout], [], [], STARTUP_TIMEOUT)
    assert readable, "the demo server printed nothing in time"
    return process.stdout.readline().strip()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serves_then_exits_cleanly_on_signal(spawn: list[subprocess.Popen[str]], signum: int) -> None:
    process = start(spawn, "--port", "0")
    line = read_first_line(process)
    match = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)", line)
    assert match, line
    conn = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=10)
    conn.request("GET", "/health")
    response = conn.getresponse()
    assert (response.status, response.read()) == (200, b"ok")
    conn.close()

    process.send_signal(signum)
    assert process.wait(timeout=10) == 0
    assert process.stderr is not None
    assert process.stderr.read() == ""


def test_busy_port_is_reported_with_exit_code_1(spawn: list[subprocess.Popen[str]]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        process = start(spawn, "--port", str(taken.getsockname()[1]))
        assert process.wait(timeout=STARTUP_TIMEOUT) == 1
    assert process.stderr is not None
    assert "cannot serve on 127.0.0.1" in process.stderr.read()
