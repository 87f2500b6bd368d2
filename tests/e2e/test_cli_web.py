"""``horde -f locustfile.py`` without --headless: the web UI run, in subprocesses."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from e2e_support import Target, horde, locustfile, web_run

pytestmark = pytest.mark.slow


def test_autostart_runs_serves_and_autoquits(target: Target, tmp_path: Path) -> None:
    target.reset()
    result = horde(
        "-f", locustfile("shop.py"), "--autostart", "-u", "3", "-r", "30", "-t", "2s", "--autoquit", "0",
        "--web-port", "0", "--host", target.url, "--csv", str(tmp_path / "run"),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert re.search(r"Starting web interface at http://127\.0\.0\.1:\d+/", result.stderr)
    assert "--run-time limit reached, stopping the test" in result.stderr
    rows = (tmp_path / "run_stats.csv").read_text().splitlines()
    assert len(rows) > 2  # header, at least one request name, Aggregated
    assert sum(target.counts()["requests"].values()) > 0


def test_web_run_is_driven_over_http_and_ends_on_sigterm(target: Target, tmp_path: Path) -> None:
    with web_run("-f", locustfile("shop.py"), "--host", target.url, log=tmp_path / "log.txt") as (
        process,
        url,
    ):
        swarm = urllib.request.Request(f"{url}swarm", data=b"user_count=2&spawn_rate=20", method="POST")
        with urllib.request.urlopen(swarm, timeout=5) as response:
            assert json.loads(response.read())["success"] is True
        deadline = time.monotonic() + 10
        while not (page := read_json(f"{url}stats/requests"))["stats"][-1]["num_requests"]:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert page["state"] in ("spawning", "running") and page["user_count"] == 2
        process.terminate()
        assert process.wait(timeout=15) == 0, (tmp_path / "log.txt").read_text()
    log = (tmp_path / "log.txt").read_text()
    assert "INFO/locust.main: Starting Locust 2.47.0 (Horde " in log  # lines scripts wait for
    assert log.index("Got SIGTERM signal") < log.index("Shutting down (exit code 0)")


def read_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_binding_beyond_this_machine_needs_authentication() -> None:
    result = horde("-f", locustfile("shop.py"), "--web-host", "0.0.0.0", "--host", "http://127.0.0.1:1")
    assert result.code == 1
    assert "refusing to serve the web UI on 0.0.0.0 without authentication" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_time_without_headless_or_autostart_is_refused() -> None:
    result = horde("-f", locustfile("shop.py"), "-t", "5s", "--host", "http://127.0.0.1:1")
    assert result.code == 1
    assert "--run-time can only be used together with --headless or --autostart" in result.stderr


def test_web_login_is_refused_rather_than_silently_ignored() -> None:
    result = horde("-f", locustfile("shop.py"), "--web-login", "--host", "http://127.0.0.1:1")
    assert result.code == 1
    assert "--web-login" in result.stderr and "is not available in Horde" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_locustfile_adds_pages_flasks_way(target: Target, tmp_path: Path) -> None:
    with web_run("-f", locustfile("extend_web_ui.py"), "--host", target.url, log=tmp_path / "log.txt") as (
        process,
        url,
    ):
        with urllib.request.urlopen(f"{url}content-length", timeout=5) as response:
            assert response.read() == b"Total content-length received: 0"
            assert response.headers["Content-Type"].startswith("text/html")
        echo = urllib.request.Request(
            f"{url}extend/echo?q=x",
            data=b'{"a": 1}',
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(echo, timeout=5) as response:
            assert json.loads(response.read()) == {"got": {"a": 1}, "query": "x"}
        assert read_json(f"{url}stats/requests")["state"] == "ready"  # Horde's own pages come first
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{url}no-such-page", timeout=5)
        assert missing.value.code == 404  # Flask's 404 now, as under Locust
        process.terminate()
        assert process.wait(timeout=15) == 0, (tmp_path / "log.txt").read_text()


def test_a_shape_that_ends_stops_the_test_and_autoquit_ends_the_process(target: Target) -> None:
    started = time.monotonic()
    result = horde(
        "-f",
        locustfile("shape.py"),
        "--host",
        target.url,
        "--web-port",
        "0",
        "--autostart",
        "--autoquit",
        "2",
    )
    took = time.monotonic() - started
    assert result.code == 0, result.stderr
    lines = [
        "Shape test stopping",
        "Quitting in 2 seconds (--autoquit)",
        "--autoquit time reached, shutting down",
        "Shutting down (exit code 0)",
    ]
    positions = [result.stderr.index(line) for line in lines]
    assert positions == sorted(positions)
    assert took >= 1.5 + 2  # the shape's 1.5 s, then the UI stays up for --autoquit's 2 s
    assert "No run time limit set" not in result.stderr  # the shape decides


def test_autostart_without_a_run_time_says_how_to_stop(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    with web_run("-f", locustfile("idle.py"), "--autostart", log=log) as (process, _):
        deadline = time.monotonic() + 10
        while "All users spawned" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        process.terminate()
        assert process.wait(timeout=15) == 0
    assert "No run time limit set, use CTRL+C to interrupt" in log.read_text()
