"""Targets that misbehave, written here and served on 127.0.0.1: no run passes with no load."""

from __future__ import annotations

import csv
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import Target, horde, locustfile

pytestmark = pytest.mark.slow


@pytest.fixture
def hung_target() -> Iterator[str]:
    """Accepts connections, reads the requests, never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    held: list[socket.socket] = []
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        done.set()
        thread.join()
        for connection in held:
            connection.close()
        server.close()


def test_a_target_that_never_answers_fails_the_run_and_says_so(hung_target: str, tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    result = horde(
        "-f", locustfile("hung_target.py"), "--headless", "-u", "4", "-r", "100", "-t", "2s",
        "--host", hung_target, "--csv", str(tmp_path / "run"), "--summary-json", str(summary),
    )  # fmt: skip
    assert result.code == 1, result.stderr  # Locust: 0 requests, 0 failures, exit 0
    assert "4 requests still waiting at the end: 4 of them had waited over 1 s" in result.stderr
    unfinished = json.loads(summary.read_text())["unfinished_requests"]
    assert unfinished == {"count": 4, "failed": 4}
    errors = {row["name"]: row for row in json.loads(summary.read_text())["errors"]}
    assert set(errors) == {"/sync", "/async"}  # both faces of the client, sync and async
    assert all("RequestUnfinished" in row["error"] for row in errors.values())
    assert sum(row["occurrences"] for row in errors.values()) == 4
    # The CSV files are written as the test starts stopping, as Locust's: before the cut.
    with (tmp_path / "run_stats.csv").open() as f:
        assert {row["Name"]: row["Request Count"] for row in csv.DictReader(f)}["Aggregated"] == "0"


def test_response_limits_come_from_the_command_line(target: Target, tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    result = horde(
        "-f", locustfile("shop.py"), "--headless", "-u", "2", "-r", "10", "-t", "2s", "--host", target.url,
        "--max-response-body", "100", "--summary-json", str(summary), "--only-summary", "Shopper",
    )  # fmt: skip
    assert result.code == 1, result.stderr
    errors = json.loads(summary.read_text())["errors"]
    assert any(row["error"] == "ResponseTooLarge('body over 100 bytes')" for row in errors), errors
