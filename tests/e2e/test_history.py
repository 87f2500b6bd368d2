"""The run history end to end: runs recorded in .horde/, listed, shown and compared; a slower
target flagged on its request name, the same target not; --baseline and --fail-on-regression; a
broken history costs a warning, never the run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from e2e_support import Target, horde

pytestmark = pytest.mark.slow

LOCUSTFILE = """\
import os

from locust import HttpUser, constant, task

DELAY = os.environ["DELAY"]


class Shopper(HttpUser):
    wait_time = constant(0.05)

    @task
    def slow(self):
        self.client.get(f"/slow?ms={DELAY}", name="slow")

    @task
    def health(self):
        self.client.get("/health")
"""


def run(tmp_path: Path, target: Target, delay: int, *args: str, seconds: int = 4) -> tuple[int, str]:
    result = horde(
        "-f", "locustfile.py", "--headless", "-u", "3", "-r", "50", "-t", f"{seconds}s", "-H", target.url,
        "--only-summary", *args,
        cwd=tmp_path, env={"DELAY": str(delay), "HORDE_NO_HISTORY": "false"},
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    return result.code, result.stderr


def test_runs_are_recorded_and_a_slower_target_is_flagged_on_its_name(target: Target, tmp_path: Path) -> None:
    (tmp_path / "locustfile.py").write_text(LOCUSTFILE)
    # 8 s: windows of a second enough to tell a hiccup of a loaded machine from a change.
    for delay in (10, 10):
        code, log = run(tmp_path, target, delay, seconds=8)
        assert code == 0 and "Recorded as run" in log
    same = horde("runs", "compare", cwd=tmp_path)
    assert same.code == 0 and "Comparison: run 2 against run 1: no change beyond noise" in same.stdout, (
        same.stdout
    )

    # The target's delay goes from 10 ms to 120 ms: this run regresses against run 1.
    code, log = run(
        tmp_path,
        target,
        120,
        "--baseline",
        "1",
        "--fail-on-regression",
        "--summary-json",
        "summary.json",
        seconds=8,
    )
    assert code == 1, log
    assert "Comparison: this run against run 1: REGRESSED" in log
    assert "GET slow p50: " in log and "REGRESSED: sampling ranges apart" in log
    comparison = json.loads((tmp_path / "summary.json").read_text())["comparison"]
    assert comparison["baseline"] == 1 and comparison["regressed"] is True
    slow = next(entry for entry in comparison["entries"] if entry["name"] == "slow")
    p50 = next(metric for metric in slow["metrics"] if metric["metric"] == "p50")
    assert p50["outcome"] == "regressed" and p50["baseline"] < 20 < 100 < p50["candidate"]
    health = next(entry for entry in comparison["entries"] if entry["name"] == "/health")
    assert {m["metric"]: m["outcome"] for m in health["metrics"]}["p50"] == "same"

    # The history, as a person reads it.
    listed = horde("runs", "list", cwd=tmp_path)
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["ID", "STARTED", "DURATION", "USERS", "REQUESTS", "FAILED", "REQ/S", "P95",
                                "MS", "EXIT", "LOCUSTFILE"]  # fmt: skip
    assert [line.split()[0] for line in lines[1:]] == ["3", "2", "1"]  # newest first
    assert lines[1].split()[-2:] == ["1", "locustfile.py"]  # its exit code
    latest = horde("runs", "compare", cwd=tmp_path)  # the last two: run 3 against run 2
    assert latest.code == 1 and "Comparison: run 3 against run 2: REGRESSED" in latest.stdout
    shown = horde("runs", "show", "last", "--json", cwd=tmp_path)
    assert json.loads(shown.stdout)["totals"]["requests"] > 50
    missing = horde("runs", "show", "7", cwd=tmp_path)
    assert (
        missing.code == 1
        and missing.stderr.strip() == "horde: error: no run 7 in the run history (horde runs list)"
    )


def test_a_broken_history_costs_a_warning_and_old_runs_are_pruned(target: Target, tmp_path: Path) -> None:
    (tmp_path / "locustfile.py").write_text(LOCUSTFILE)
    (tmp_path / ".horde").mkdir()
    (tmp_path / ".horde" / "history.sqlite").write_text("not a database")
    code, log = run(tmp_path, target, 10, "--baseline", "last")
    assert code == 0
    assert (
        "--baseline last: run history at .horde/history.sqlite: file is not a database; no comparison" in log
    )
    assert "run history at .horde/history.sqlite: file is not a database; this run is not recorded" in log

    for _ in range(3):
        code, _ = run(tmp_path, target, 10, "--history-dir", "kept", "--history-keep", "2")
    listed = horde("runs", "list", "--history-dir", "kept", cwd=tmp_path)
    assert [line.split()[0] for line in listed.stdout.splitlines()[1:]] == ["3", "2"]

    run(tmp_path, target, 10, "--no-history", "--history-dir", "never")
    assert not (tmp_path / "never").exists()
