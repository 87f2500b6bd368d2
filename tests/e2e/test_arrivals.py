"""The open model end to end, against a target that counts what it served: the rate holds whatever
the users' wait_time, arrivals that find no idle user are dropped and reported, and a stall of the
target shows in the latency from the planned start while the service time stays low."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from e2e_support import Target, clean_env, horde

from horde.cli.demo import start_demo_target

pytestmark = pytest.mark.slow

WAITS_FIVE_SECONDS = """\
from locust import HttpUser, constant, task


class Shopper(HttpUser):
    wait_time = constant(5)  # an arrival runs one task and ignores this

    @task
    def browse(self):
        self.client.get("/health")
"""
TAKES_400_MS = """\
from locust import HttpUser, constant, task


class Shopper(HttpUser):
    wait_time = constant(0)

    @task
    def browse(self):
        self.client.get("/slow?ms=400", name="slow")
"""
PACED = """\
from locust import HttpUser, constant_throughput, task


class Reader(HttpUser):
    wait_time = constant_throughput(20)

    @task
    def read(self):
        self.client.get("/health")
"""


def run(tmp_path: Path, target: Target, locustfile: str, *args: str) -> tuple[int, str, dict]:
    (tmp_path / "locustfile.py").write_text(locustfile)
    summary = tmp_path / "summary.json"
    result = horde(
        "-f", "locustfile.py", "--headless", "-H", target.url, "--only-summary",
        "--summary-json", str(summary), *args,
        cwd=tmp_path,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    return result.code, result.stderr, json.loads(summary.read_text())


def test_50_arrivals_a_second_for_12_s_are_600_requests_whatever_the_wait_time(
    target: Target, tmp_path: Path
) -> None:
    target.reset()
    code, log, summary = run(
        tmp_path, target, WAITS_FIVE_SECONDS, "--arrival-rate", "50", "-u", "10", "-t", "12s"
    )
    served = target.counts()["requests"]["GET /health"]
    assert code == 0, log
    assert 570 <= served <= 630, served  # 600 within 5 %
    assert summary["totals"]["requests"] == served
    assert summary["arrivals"] == {"plan": "50/s", "process": "constant", "started": served, "dropped": 0}
    assert summary["dropped_iterations"] == 0
    assert "Arrivals (50/s, constant): " in log and " 0 dropped" in log


def test_40_a_second_into_5_users_of_400_ms_drops_about_275_and_says_so(
    target: Target, tmp_path: Path
) -> None:
    code, log, summary = run(
        tmp_path, target, TAKES_400_MS,
        "--arrival-rate", "40", "-u", "5", "-t", "10s", "--threshold", "dropped_iterations<10",
    )  # fmt: skip
    dropped = summary["dropped_iterations"]
    assert 255 <= dropped <= 295, dropped  # 400 arrivals, 12.5 a second can start
    assert summary["arrivals"]["started"] + dropped in range(398, 403)
    assert f"{dropped:,} dropped" in log and "no user of the pool (5) was idle" in log
    # The threshold on it fails the run, as k6's on dropped_iterations.
    assert code == 1
    assert summary["thresholds"] == [
        {"expression": "dropped_iterations<10", "passed": False, "observed": float(dropped)}
    ]


def stalled_run(tmp_path: Path, *args: str) -> tuple[str, dict]:
    """A 10 s run against a target of its own that is stopped (SIGSTOP, wrk2's ^Z) for 2 s once,
    4 s in."""
    (tmp_path / "locustfile.py").write_text(PACED)
    summary = tmp_path / "summary.json"
    demo = start_demo_target()
    try:
        run = subprocess.Popen(
            [sys.executable, "-m", "horde", "-f", "locustfile.py", "--headless", "-H", demo.url, "-t", "10s",
             "--only-summary", "--summary-json", str(summary), *args],
            cwd=tmp_path, env=clean_env(), stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(4)
        os.kill(demo.process.pid, signal.SIGSTOP)
        try:
            time.sleep(2)
        finally:
            os.kill(demo.process.pid, signal.SIGCONT)
        _, log = run.communicate(timeout=30)
    finally:
        demo.stop()
    assert run.returncode == 0 and "Traceback" not in log, log
    return log, json.loads(summary.read_text())


def test_a_stall_shows_in_the_latency_from_the_planned_start_not_in_the_service_time(tmp_path: Path) -> None:
    """5 users paced at 20/s each (100/s): the stall holds one request of each user for up to 2 s,
    5 samples of about 800, so the service time's p99 stays low; the 40 iterations each user
    skipped meanwhile are counted from their planned start, as wrk2 counts them."""
    log, summary = stalled_run(tmp_path, "-u", "5", "-r", "100")
    totals = summary["totals"]
    service_p99 = totals["response_time_ms"]["percentiles_ms"]["99"]
    planned = totals["planned_ms"]
    assert service_p99 < 50, service_p99
    assert planned["percentiles_ms"]["99"] > 1500, planned
    assert totals["response_time_ms"]["max"] > 1500  # the stall itself was seen
    # About 1,000 planned iterations: those that ran, and those the stall made users skip.
    assert 900 <= planned["samples"] <= 1050 and totals["requests"] <= 850, (planned, totals["requests"])
    assert "Latency from the planned start" in log


def test_a_stall_under_an_arrival_rate_drops_what_the_pool_could_not_take(tmp_path: Path) -> None:
    """The open model sends each request when it is due: what the stall holds is a request of
    each of the 5 users, and the arrivals that came meanwhile found none idle: dropped (about 200)."""
    log, summary = stalled_run(tmp_path, "--arrival-rate", "100", "-u", "5")
    assert 150 <= summary["dropped_iterations"] <= 215, summary["dropped_iterations"]
    assert summary["totals"]["response_time_ms"]["percentiles_ms"]["99"] < 50
    assert "no user of the pool (5) was idle" in log


def test_arrival_rate_needs_the_pool_size(target: Target, tmp_path: Path) -> None:
    (tmp_path / "locustfile.py").write_text(WAITS_FIVE_SECONDS)
    result = horde("-f", "locustfile.py", "--headless", "-H", target.url, "--arrival-rate", "5", cwd=tmp_path)
    assert result.code == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().endswith(
        "horde: error: --arrival-rate needs -u/--users: the pool of users that run the arrivals (about "
        "the rate times an iteration's seconds, plus a margin)"
    ), result.stderr
