"""Config files and environment variables in a real run, Horde's JSON summary, custom samples."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from e2e_support import LOCUSTFILES, Target, horde, locustfile

pytestmark = pytest.mark.slow


def test_config_files_and_env_vars_layer_as_documented(target: Target, tmp_path: Path) -> None:
    (tmp_path / "locustfile.py").write_text((LOCUSTFILES / "tagged.py").read_text())
    (tmp_path / "locust.conf").write_text(f"headless = true\nhost = {target.url}\nusers = 1\nrun-time = 5m\n")
    (tmp_path / "horde.toml").write_text('run-time = "1s"\ncsv = "from_horde_toml"\n')
    result = horde(
        "--spawn-rate", "10", "Tagged", cwd=tmp_path, env={"LOCUST_TAGS": "cart", "HORDE_USERS": "2"}
    )
    assert result.code == 0, result.stderr
    assert "(2 total users)" in result.stderr  # HORDE_USERS beat locust.conf
    with (tmp_path / "from_horde_toml_stats.csv").open() as f:  # horde.toml's csv and run time
        names = {row["Name"] for row in csv.DictReader(f)}
    assert names == {"/cart", "Aggregated"}  # LOCUST_TAGS applied


def test_summary_json_carries_percentiles_and_phase_timings(target: Target, tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    result = horde(
        "-f", locustfile("shop.py"), "--headless", "-u", "3", "-r", "10", "-t", "2s",
        "--host", target.url, "--summary-json", str(summary), "--only-summary", "Shopper",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    data = json.loads(summary.read_text())
    assert data["schema"].startswith("horde.summary/")
    entries = {(e["method"], e["name"]): e for e in data["entries"]}
    browse = entries[("GET", "/products?q=laptop")]
    assert browse["requests"] > 10
    assert 0 < browse["response_time_ms"]["percentiles_ms"]["50"] <= browse["response_time_ms"]["max"]
    phases = browse["phases"]
    assert phases["ttfb"]["count"] == browse["requests"]
    assert phases["reused_connections"] == browse["requests"]  # on_start's login opened each connection
    login = entries[("POST", "/auth/login")]
    assert login["phases"]["connect"]["count"] >= 1


def test_request_measure_records_custom_samples(tmp_path: Path) -> None:
    result = horde(
        "-f", locustfile("measured.py"), "--headless", "-u", "1", "-r", "10", "-t", "1s",
        "--csv", str(tmp_path / "m"), "--only-summary",
    )  # fmt: skip
    assert result.code == 1  # the measured failure counts
    with (tmp_path / "m_stats.csv").open() as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    assert rows["sleep-2ms"]["Type"] == "CUSTOM"
    assert 2.0 <= float(rows["sleep-2ms"]["Average Response Time"]) < 20
    assert rows["raises"]["Failure Count"] == rows["raises"]["Request Count"] != "0"


def test_generator_verdict_flips_with_its_thresholds(target: Target, tmp_path: Path) -> None:
    def run(*health: str) -> tuple[int, str, dict]:  # type: ignore[type-arg]
        summary = tmp_path / "health.json"
        result = horde(
            "-f", locustfile("shop.py"), "--headless", "-u", "2", "-r", "10", "-t", "3s",
            "--host", target.url,
            "--only-summary", "--health-window", "1s", "--summary-json", str(summary), "Shopper", *health,
        )  # fmt: skip
        return result.code, result.stderr, json.loads(summary.read_text())["generator_health"]

    # Thresholds no process can stay under: every window is limited, the verdict INVALID.
    code, printed, health = run("--health-cpu", "0.0001", "--exit-code-on-invalid", "3")
    assert code == 3
    assert health["verdict"] == "INVALID" and health["thresholds"]["cpu_percent"] == 0.0001
    assert len(health["windows"]) >= 2 and all(w["limited"] for w in health["windows"])
    assert "Load generator: INVALID, results limited by the load generator in" in printed
    # Thresholds no run can reach: VALID, and the exit code is Locust's.
    code, printed, health = run(
        "--health-cpu", "10000", "--health-loop-lag", "1e6", "--health-schedule-lag", "1e6"
    )
    assert code == 0
    assert health["verdict"] == "VALID" and not any(w["limited"] for w in health["windows"])
    assert "Load generator: VALID, it kept up in all" in printed


def test_tables_go_through_the_users_logging_under_skip_log_setup(target: Target, tmp_path: Path) -> None:
    # Locust's tables are records of the locust.stats_logger logger: with --skip-log-setup, the
    # logging the locustfile sets up gets them (here a file), and stderr does not.
    log = tmp_path / "run.log"
    (tmp_path / "locustfile.py").write_text(
        "import logging\n"
        f"logging.basicConfig(filename={str(log)!r}, level=logging.INFO, format='%(name)s|%(message)s')\n"
        + (LOCUSTFILES / "shop.py").read_text()
    )
    result = horde(
        "-f", "locustfile.py", "--headless", "-u", "1", "-r", "10", "-t", "1s", "--host", target.url,
        "--skip-log-setup", "Shopper", cwd=tmp_path,
    )  # fmt: skip
    assert result.code == 0, result.stderr
    lines = log.read_text().splitlines()
    assert "locust.stats_logger|Response time percentiles (approximated)" in lines
    assert any(line.startswith("locust.stats_logger|Type ") for line in lines)
    assert "Response time percentiles" not in result.stderr
