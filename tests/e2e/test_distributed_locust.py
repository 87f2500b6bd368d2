"""Mixed fleets while a team migrates: Horde and real Locust 2.47 (installed in a scratch venv)
in one distributed run, both ways round, against the demo target, which counts what it served.
The workers fetch the locustfile from the master of the other kind (``-f -``), as they do in a
cluster where only the master has it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from e2e_support import Target, clean_env, free_port, horde, locustfile, real_locust, workers

SHOP = locustfile("shop.py")


def counted(stdout: str) -> int:
    rows = json.loads(stdout[stdout.index("[") :])  # after the locustfile's own lines
    return sum(row["num_requests"] for row in rows)


def test_a_horde_worker_under_a_locust_master(target: Target, tmp_path: Path) -> None:
    locust = real_locust()
    port = free_port()
    target.reset()
    with workers(1, port, tmp_path, "-f", "-") as started:
        master = subprocess.run(
            [
                str(locust), "-f", SHOP, "--master", "--master-bind-host", "127.0.0.1",
                "--master-bind-port", str(port), "--headless", "--expect-workers", "1",
                "--expect-workers-max-wait", "30", "-u", "3", "-r", "3", "-t", "3s",
                "--host", target.url, "--json", "--only-summary",
            ],
            capture_output=True, text=True, timeout=90, env=clean_env(), cwd=tmp_path,
        )  # fmt: skip
        worker_code = started[0].wait(timeout=20)
    log = (tmp_path / "worker0.log").read_text()
    assert master.returncode == 0, master.stderr
    assert worker_code == 0, log
    assert "Got quit message from master" in log
    served = target.counts()["total"]
    assert served > 50 and 0 <= served - counted(master.stdout) <= 3


def test_a_locust_worker_beside_a_horde_worker_under_a_horde_master(target: Target, tmp_path: Path) -> None:
    locust = real_locust()
    port = free_port()
    target.reset()
    with (tmp_path / "locust-worker.log").open("w") as sink:
        locust_worker = subprocess.Popen(
            [str(locust), "-f", "-", "--worker", "--master-host", "127.0.0.1", "--master-port", str(port)],
            stdout=sink, stderr=subprocess.STDOUT, env=clean_env(), cwd=tmp_path,
        )  # fmt: skip
    try:
        with workers(1, port, tmp_path, "-f", "-") as started:
            result = horde(
                "-f", SHOP, "--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port),
                "--headless", "--expect-workers", "2", "--expect-workers-max-wait", "30",
                "-u", "4", "-r", "4", "-t", "3s", "--host", target.url, "--json", "--only-summary",
                timeout=90,
            )  # fmt: skip
            horde_code = started[0].wait(timeout=20)
        locust_code = locust_worker.wait(timeout=20)
    finally:
        if locust_worker.poll() is None:
            locust_worker.kill()
            locust_worker.wait()
    assert result.code == 0, result.stderr
    assert (horde_code, locust_code) == (0, 0), (tmp_path / "locust-worker.log").read_text()
    assert "ordered from 2 workers" in result.stderr
    served = target.counts()["total"]
    assert served > 50 and 0 <= served - counted(result.stdout) <= 4
