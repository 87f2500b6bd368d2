"""--threshold end to end: the table after the run, the summary JSON, and the exit codes."""

from __future__ import annotations

import json
import time
from pathlib import Path

from e2e_support import Target, horde

LOCUSTFILE = """\
from locust import HttpUser, constant, events, task


class Shopper(HttpUser):
    wait_time = constant(0.05)

    @task
    def browse(self):
        self.client.get("/products?q=laptop", name="browse")
"""


def run(tmp_path: Path, target: Target, *args: str, locustfile: str = LOCUSTFILE) -> tuple[int, str, dict]:
    (tmp_path / "locustfile.py").write_text(locustfile)
    summary = tmp_path / "summary.json"
    result = horde(
        "-f", "locustfile.py", "--headless", "-u", "2", "-r", "10", "-t", "2s", "-H", target.url,
        "--only-summary", "--summary-json", str(summary), *args,
        cwd=tmp_path,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    return result.code, result.stderr, json.loads(summary.read_text()) if summary.exists() else {}


def test_a_failed_threshold_fails_the_run_even_with_exit_code_on_error_0(
    target: Target, tmp_path: Path
) -> None:
    code, log, summary = run(
        tmp_path,
        target,
        "--threshold",
        "browse:p95<5s",
        "--threshold",
        "rps>100000",
        "--exit-code-on-error",
        "0",
    )
    assert code == 1, log
    assert "Thresholds: 1 of 2 failed" in log
    rows = [
        line.split("|") for line in log.splitlines() if line.startswith(("browse:p95<5s ", "rps>100000 "))
    ]
    assert [(row[0].strip(), row[2].strip()) for row in rows] == [
        ("browse:p95<5s", "pass"),
        ("rps>100000", "FAIL"),
    ]
    judged = {entry["expression"]: entry for entry in summary["thresholds"]}
    assert judged["browse:p95<5s"]["passed"] is True and 0 < judged["browse:p95<5s"]["observed"] < 5000
    assert judged["rps>100000"]["passed"] is False and 10 < judged["rps>100000"]["observed"] < 100000


def test_exit_code_on_threshold_and_a_run_that_passes_them_all(target: Target, tmp_path: Path) -> None:
    code, _, _ = run(tmp_path, target, "--threshold", "requests>100000", "--exit-code-on-threshold", "3")
    assert code == 3
    code, log, summary = run(tmp_path, target, "--threshold", "fail_ratio<0.01", "--threshold", "p99<10s")
    assert code == 0, log
    assert "Thresholds: all 2 passed" in log
    assert [entry["passed"] for entry in summary["thresholds"]] == [True, True]


def test_a_config_files_list_and_the_locustfiles_thresholds_add_up(target: Target, tmp_path: Path) -> None:
    (tmp_path / "horde.toml").write_text('threshold = ["p95<10s", "GET browse:requests>100000"]\n')
    locustfile = LOCUSTFILE + '\nthresholds = ["browse:fail_ratio<0.5"]\n'
    code, log, summary = run(tmp_path, target, locustfile=locustfile)
    assert code == 1, log
    assert [(e["expression"], e["passed"]) for e in summary["thresholds"]] == [
        ("p95<10s", True),
        ("GET browse:requests>100000", False),
        ("browse:fail_ratio<0.5", True),
    ]


def test_the_locustfiles_own_exit_code_still_wins(target: Target, tmp_path: Path) -> None:
    locustfile = LOCUSTFILE + (
        "\n\n@events.quitting.add_listener\n"
        "def _(environment, **kwargs):\n"
        "    environment.process_exit_code = 7\n"
    )
    code, log, _ = run(tmp_path, target, "--threshold", "rps>100000", locustfile=locustfile)
    assert code == 7, log


def test_a_malformed_threshold_stops_the_run_before_it_starts(target: Target, tmp_path: Path) -> None:
    code, log, summary = run(tmp_path, target, "--threshold", "p95<<300ms")
    assert code == 2 and summary == {}
    assert (
        log.strip()
        .splitlines()[-1]
        .startswith("horde: error: argument --threshold: invalid threshold 'p95<<300ms'")
    )
    code, log, summary = run(tmp_path, target, locustfile=LOCUSTFILE + '\nthresholds = ["p95 under 300"]\n')
    assert code == 1 and summary == {}
    assert "invalid threshold 'p95 under 300'" in log and "(in the locustfile's thresholds)" in log


def test_an_aborting_threshold_stops_the_run_once_it_can_no_longer_pass(
    target: Target, tmp_path: Path
) -> None:
    (tmp_path / "locustfile.py").write_text(LOCUSTFILE)

    def timed(*args: str) -> tuple[float, int, str]:
        started = time.monotonic()
        result = horde(
            "-f", "locustfile.py", "--headless", "-u", "2", "-r", "10", "-t", "60s", "-H", target.url,
            "--only-summary", *args,
            cwd=tmp_path, timeout=90,
        )  # fmt: skip
        return time.monotonic() - started, result.code, result.stderr

    # A window that broke it can never be mended: the first 2 s window ends the 60 s run.
    seconds, code, log = timed("--threshold", "p95<0.001ms@2s!", "--threshold", "rps>1@2s")
    assert code == 1 and seconds < 20, log
    assert "Threshold p95<0.001ms@2s! failed" in log and "stopping the test" in log
    assert "Thresholds: 1 of 2 failed" in log
    # --threshold-abort for all, judged on the run so far after a 4 s grace.
    seconds, code, log = timed(
        "--threshold", "requests>100000000", "--threshold-abort", "--threshold-grace", "4s"
    )
    assert code == 1 and 4 <= seconds < 20, log
    assert "Threshold requests>100000000 failed" in log
