"""Live metrics read back from a real Prometheus server (Debian's ``prometheus`` package) that
scraped a run: the counts it stored are the run's own.

Skipped, with the reason, where ``prometheus`` is not installed; ``.ci/run`` installs it and sets
HORDE_REQUIRE_PROMETHEUS=1, which turns that skip into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from e2e_support import LOCUSTFILES, Target, clean_env, free_port, stop, wait_until_answers

pytestmark = pytest.mark.slow

PROMETHEUS = shutil.which("prometheus")
DASHBOARD = Path(__file__).parents[2] / "docs" / "grafana" / "horde-dashboard.json"
LOCUSTFILE = (LOCUSTFILES / "browse_and_missing.py").read_text()


@contextmanager
def prometheus_scraping(target: str, folder: Path) -> Iterator[str]:
    """A Prometheus server scraping ``target`` (host:port) every second; yields its API's URL."""
    if PROMETHEUS is None:
        if os.environ.get("HORDE_REQUIRE_PROMETHEUS"):
            pytest.fail("HORDE_REQUIRE_PROMETHEUS is set but prometheus is not installed")
        pytest.skip("prometheus is not installed (apt-get install prometheus)")
    config = folder / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, scrape_timeout: 1s}\n"
        "scrape_configs:\n"
        f"  - job_name: horde\n    static_configs: [{{targets: ['{target}']}}]\n"
    )
    address = f"127.0.0.1:{free_port()}"
    with (folder / "prometheus.log").open("w") as log:
        server = subprocess.Popen(
            [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={folder / 'data'}",
             f"--web.listen-address={address}"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://{address}"
    try:
        wait_until_answers(f"{url}/-/ready", server, folder / "prometheus.log")
        deadline = time.monotonic() + 30
        # Its scrape loop runs once it has tried the target (which is not up yet) a first time.
        while all(
            target["lastScrape"].startswith("0001-") for target in api(url, "targets")["activeTargets"]
        ):
            assert time.monotonic() < deadline, (folder / "prometheus.log").read_text()
            time.sleep(0.2)
        yield url
    finally:
        stop(server)


def api(url: str, path: str, **parameters: str) -> Any:
    with urllib.request.urlopen(f"{url}/api/v1/{path}?{urllib.parse.urlencode(parameters)}") as answer:
        data: Any = json.loads(answer.read())
    assert data["status"] == "success", data
    return data["data"]


def query(url: str, expression: str, at: float) -> dict[str, float]:
    """An instant query at epoch ``at``: each series' value, keyed by its ``name`` label (or "")."""
    rows = api(url, "query", query=expression, time=f"{at:.3f}")["result"]
    return {row["metric"].get("name", ""): float(row["value"][1]) for row in rows}


def test_prometheus_scrapes_a_run_and_stores_its_counts(target: Target, tmp_path: Path) -> None:
    (tmp_path / "locustfile.py").write_text(LOCUSTFILE)
    port = free_port()
    summary = tmp_path / "summary.json"
    with prometheus_scraping(f"127.0.0.1:{port}", tmp_path) as prometheus:
        # A web run that starts at once, stops after 4 s and quits 4 s later: the last scrapes
        # see the final counts.
        run = subprocess.run(
            [sys.executable, "-m", "horde", "-f", "locustfile.py", "-H", target.url, "--autostart",
             "-u", "4", "-r", "100", "-t", "4s", "--autoquit", "4", "--web-port", "0",
             "--metrics-port", str(port), "--summary-json", str(summary)],
            cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        # Queried as of a second before it quit: the test had stopped, /metrics still answered (once
        # it is gone, Prometheus marks its series stale and a query of "now" finds nothing).
        at = time.time() - 1.0
        assert "Traceback" not in run.stderr, run.stderr
        assert f"Prometheus metrics at http://127.0.0.1:{port}/metrics" in run.stderr
        requests = query(prometheus, "horde_requests_total", at)
        failures = query(prometheus, "horde_request_failures_total", at)
        users = query(prometheus, "max_over_time(horde_users[1m])", at)
        median = query(prometheus, "histogram_quantile(0.5, horde_request_duration_seconds_bucket)", at)
        counted = query(prometheus, "horde_request_duration_seconds_count", at)
        lag = query(prometheus, "horde_generator_loop_lag_p99_seconds", at)
        cpu = query(prometheus, "process_cpu_seconds_total", at)
        # The Grafana dashboard of docs/: every query of it runs on what Prometheus stored.
        dashboard = json.loads(DASHBOARD.read_text())
        panels = {}
        for panel in dashboard["panels"]:
            for target in panel["targets"]:
                expression = target["expr"].replace("$__rate_interval", "30s").replace("$job", ".*")
                panels[(panel["title"], target.get("legendFormat", ""))] = api(
                    prometheus, "query", query=expression, time=f"{at:.3f}"
                )["result"]
    entries = {entry["name"]: entry for entry in json.loads(summary.read_text())["entries"]}
    assert requests == {name: float(entry["requests"]) for name, entry in entries.items()}
    assert requests["browse"] > 100 and counted == requests
    assert failures == {"browse": 0.0, "missing": float(entries["missing"]["failures"])}
    assert failures["missing"] == requests["missing"] > 10
    assert users == {"": 4.0}
    # Prometheus interpolates within the bucket that holds the median: same order of magnitude.
    p50_s = entries["browse"]["response_time_ms"]["percentiles_ms"]["50"] / 1000
    assert p50_s / 10 < median["browse"] < p50_s * 10 + 0.001
    assert 0 <= lag[""] < 1 and cpu[""] > 0
    empty = sorted(key for key, result in panels.items() if not result)
    assert empty == [], empty  # every panel has data, the dropped iterations' too (at 0)
    by_name = {row["metric"]["name"] for row in panels[("Requests/s by name", "{{method}} {{name}}")]}
    assert by_name == {"browse", "missing"}


def test_a_port_in_use_is_one_line(target: Target, tmp_path: Path) -> None:
    (tmp_path / "locustfile.py").write_text(LOCUSTFILE)
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            [sys.executable, "-m", "horde", "-f", "locustfile.py", "-H", target.url, "--headless", "-t", "2s",
             "--metrics-port", str(port)],
            cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1] == (
        f"horde: error: cannot serve --metrics-port on 127.0.0.1:{port}: Address already in use"
    )
