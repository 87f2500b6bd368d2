"""Distributed runs with real processes on 127.0.0.1: a master and its workers against the demo
target, which counts what it served."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil
from e2e_support import (
    Target,
    clean_env,
    free_port,
    horde,
    locustfile,
    master_on,
    stats_rows,
    web_run,
    workers,
)


def test_a_master_and_two_workers_count_what_the_server_served(target: Target, tmp_path: Path) -> None:
    port = free_port()
    target.reset()
    args = ("-f", locustfile("shop.py"))
    with workers(2, port, tmp_path, *args) as started:
        result = horde(
            *args, *master_on(port),
            "--headless", "--expect-workers", "2", "--expect-workers-max-wait", "30",
            "-u", "6", "-r", "6", "-t", "4s", "--host", target.url, "--json", "--only-summary",
            "--csv", str(tmp_path / "run"), "--summary-json", str(tmp_path / "summary.json"),
            timeout=60,
        )  # fmt: skip
        codes = [process.wait(timeout=15) for process in started]  # they quit with the master
    assert result.code == 0, result.stderr
    assert codes == [0, 0], [(tmp_path / f"worker{n}.log").read_text() for n in range(2)]
    assert "2 workers connected" in result.stderr
    assert "All users spawned: 6 total users (ordered from 2 workers)" in result.stderr
    rows = json.loads(result.stdout[result.stdout.index("[") :])  # after the locustfile's own line
    counted = sum(row["num_requests"] for row in rows)
    served = target.counts()["total"]
    # Every request the workers made, once; those the stop cut short (one per user at most) reached
    # the server but were not answered, so they are not counted.
    assert served > 100 and 0 <= served - counted <= 6
    # The files hold the merged run too: the CSV's last rows come after the workers' last reports.
    assert int(stats_rows(tmp_path / "run")[("", "Aggregated")]["Request Count"]) == counted
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["totals"]["requests"] == counted
    assert summary["generator_health"]["verdict"] == "VALID"
    reasons = [w["reasons"] for w in summary["generator_health"]["windows"]]
    assert len(reasons) >= 2 and not any(reasons)  # each worker's windows (4 s: one or two each)
    for n in range(2):
        assert "Got quit message from master" in (tmp_path / f"worker{n}.log").read_text()


def test_a_master_gives_up_when_its_workers_do_not_come(tmp_path: Path) -> None:
    result = horde(
        "-f", locustfile("shop.py"), *master_on(free_port()), "--headless", "--expect-workers", "2",
        "--expect-workers-max-wait", "1", "-u", "2", "-t", "2s", "--host", "http://127.0.0.1:1",
        timeout=30,
    )  # fmt: skip
    assert result.code == 1
    assert "gave up waiting for workers: 0 of 2 connected in 1 s" in result.stderr
    assert "Traceback" not in result.stderr


def test_processes_forks_workers_for_this_process_as_their_master(target: Target) -> None:
    target.reset()
    result = horde(
        "-f", locustfile("shop.py"), "--processes", "2", "--master-bind-host", "127.0.0.1",
        "--master-bind-port", str(free_port()), "--headless", "-u", "4", "-r", "4", "-t", "3s",
        "--host", target.url, "--json", "--only-summary",
        timeout=60,
    )  # fmt: skip
    assert result.code == 0, result.stderr
    pids = [int(pid) for pid in re.search(r"Started 2 worker processes: (\d+) (\d+)", result.stderr).groups()]
    assert "All users spawned: 4 total users (ordered from 2 workers)" in result.stderr
    rows = json.loads(result.stdout[result.stdout.index("[") :])
    served = target.counts()["total"]
    assert served > 50 and 0 <= served - sum(row["num_requests"] for row in rows) <= 4
    assert not [pid for pid in pids if psutil.pid_exists(pid)]  # reaped: nothing left running
    assert "Traceback" not in result.stderr  # the forked workers end quietly


def test_worker_processes_under_one_parent_serve_a_master(target: Target, tmp_path: Path) -> None:
    port = free_port()
    target.reset()
    args = ("-f", locustfile("shop.py"))
    env = clean_env()
    with (tmp_path / "workers.log").open("w") as sink:
        parent = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "horde",
                *args,
                "--worker",
                "--processes",
                "2",
                "--master-port",
                str(port),
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        result = horde(
            *args, *master_on(port),
            "--headless", "--expect-workers", "2", "--expect-workers-max-wait", "30",
            "-u", "4", "-r", "4", "-t", "2s", "--host", target.url, "--only-summary",
            timeout=60,
        )  # fmt: skip
        try:
            code = parent.wait(timeout=30)
        except subprocess.TimeoutExpired:
            code = None
        logs = (result.stderr, (tmp_path / "workers.log").read_text())
        assert code == 0, logs
        assert "Traceback" not in logs[1]
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
    assert result.code == 0, result.stderr
    assert "ordered from 2 workers" in result.stderr


def test_cpu_heavy_user_code_does_not_make_a_worker_look_dead(target: Target, tmp_path: Path) -> None:
    port = free_port()
    args = ("-f", locustfile("cpu_heavy.py"))
    with workers(1, port, tmp_path, *args) as started:
        result = horde(
            *args, *master_on(port),
            "--headless", "--expect-workers", "1", "--expect-workers-max-wait", "30",
            "-u", "2", "-r", "2", "-t", "8s", "--host", target.url, "--only-summary",
            timeout=60,
        )  # fmt: skip
        started[0].wait(timeout=20)
    assert result.code == 0, result.stderr
    assert "failed to send heartbeat" not in result.stderr  # its loop stood still for 5 s
    assert "All users spawned: 2 total users (ordered from 1 workers)" in result.stderr


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_a_worker_killed_with_sigkill_has_its_users_started_elsewhere_within_5_s(
    target: Target, tmp_path: Path
) -> None:
    port = free_port()
    args = ("-f", locustfile("shop.py"))
    with workers(2, port, tmp_path, *args) as started, web_run(
        *args, *master_on(port),
        "--autostart", "--expect-workers", "2", "-u", "6", "-r", "100", "--host", target.url,
        log=tmp_path / "master.log",
    ) as (master, url):  # fmt: skip

        def users_and_workers() -> tuple[int, int]:
            state = get_json(f"{url}api/v1/state")
            return state["user_count"], get_json(f"{url}worker-count")["worker_count"]

        deadline = time.monotonic() + 20
        while users_and_workers() != (6, 2):
            assert time.monotonic() < deadline, (tmp_path / "master.log").read_text()
            time.sleep(0.1)
        started[0].kill()  # SIGKILL: no goodbye, no last report
        killed = time.monotonic()
        while users_and_workers() != (6, 1):
            assert time.monotonic() - killed < 5, (tmp_path / "master.log").read_text()
            time.sleep(0.1)
        master.terminate()
        master.wait(timeout=20)
    log = (tmp_path / "master.log").read_text()
    assert "failed to send heartbeat, setting state to missing" in log
    assert "1 worker lost during the test: " in log


def test_workers_register_with_a_master_restarted_on_the_same_port(target: Target, tmp_path: Path) -> None:
    port = free_port()
    args = ("-f", locustfile("shop.py"))
    master_args = master_on(port)
    with workers(1, port, tmp_path, *args) as started:
        with web_run(*args, *master_args, "--host", target.url, log=tmp_path / "first.log") as (first, _):
            deadline = time.monotonic() + 20
            while "reported as ready" not in (tmp_path / "first.log").read_text():
                assert time.monotonic() < deadline, (tmp_path / "first.log").read_text()
                time.sleep(0.1)
            first.kill()  # the master dies without a word
            first.wait()
        result = horde(
            *args, *master_args, "--headless", "--expect-workers", "1", "--expect-workers-max-wait", "10",
            "-u", "2", "-r", "2", "-t", "2s", "--host", target.url, "--only-summary",
            timeout=60,
        )  # fmt: skip
        assert started[0].poll() in (None, 0)  # the worker lived through it
    # It came within 10 s (--expect-workers-max-wait 10, else exit code 1) and ran the test.
    assert result.code == 0, result.stderr
    assert "ordered from 1 workers" in result.stderr


def test_with_a_master_secret_only_workers_that_share_it_join(target: Target, tmp_path: Path) -> None:
    port = free_port()
    args = ("-f", locustfile("shop.py"))
    master = (
        *args, *master_on(port),
        "--master-secret", "s3cret", "--headless", "--expect-workers", "1", "-u", "2", "-r", "2", "-t", "2s",
        "--host", target.url, "--only-summary",
    )  # fmt: skip
    with workers(1, port, tmp_path, *args, env_extra={"HORDE_MASTER_SECRET": "s3cret"}):
        joined = horde(*master, "--expect-workers-max-wait", "20", timeout=60)
    assert joined.code == 0, joined.stderr
    assert "ordered from 1 workers" in joined.stderr
    (tmp_path / "unsigned").mkdir()
    with workers(1, port, tmp_path / "unsigned", *args):  # no secret
        refused = horde(*master, "--expect-workers-max-wait", "4", timeout=60)
    assert refused.code == 1
    assert "Refused a message from b'" in refused.stderr and "lacks the --master-secret" in refused.stderr
    assert "gave up waiting for workers: 0 of 1 connected in 4 s" in refused.stderr


def test_a_load_test_shape_drives_a_master_and_its_workers(target: Target, tmp_path: Path) -> None:
    port = free_port()
    args = ("-f", locustfile("shape.py"))
    with workers(1, port, tmp_path, *args) as started:
        result = horde(
            *args, *master_on(port),
            "--headless", "--expect-workers", "1", "--expect-workers-max-wait", "20", "--host", target.url,
            timeout=60,
        )  # fmt: skip
        assert started[0].wait(timeout=20) == 0, (tmp_path / "worker0.log").read_text()
    assert result.code == 0, result.stderr
    assert (
        "Shape test updating to 2 users" in result.stderr
        and "Shape test updating to 4 users" in result.stderr
    )
    assert "Shape test stopping" in result.stderr  # and it ended the run, headless
    assert "SPAWNED 4" in result.stdout
