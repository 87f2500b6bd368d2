"""--influxdb against a real InfluxDB (Debian's ``influxdb`` package, 1.x): what it stored adds up
to the run's CSV, and an InfluxDB that is down costs a warning, never the test.

Skipped, with the reason, where ``influxd`` is not installed; ``.ci/run`` installs it and sets
HORDE_REQUIRE_INFLUXDB=1, which turns that skip into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from e2e_support import LOCUSTFILES, Target, free_port, horde, stats_rows, stop, wait_until_answers

pytestmark = pytest.mark.slow

INFLUXD = shutil.which("influxd")
LOCUSTFILE = (LOCUSTFILES / "browse_and_missing.py").read_text()


@contextmanager
def influxdb(folder: Path) -> Iterator[str]:
    """An InfluxDB 1.x of its own, with a database ``horde``; yields its URL."""
    if INFLUXD is None:
        if os.environ.get("HORDE_REQUIRE_INFLUXDB"):
            pytest.fail("HORDE_REQUIRE_INFLUXDB is set but influxd is not installed")
        pytest.skip("influxd is not installed (apt-get install influxdb)")
    port, rpc = free_port(), free_port()
    config = folder / "influxdb.conf"
    config.write_text(
        f'reporting-disabled = true\nbind-address = "127.0.0.1:{rpc}"\n'
        f'[meta]\n  dir = "{folder}/meta"\n'
        f'[data]\n  dir = "{folder}/data"\n  wal-dir = "{folder}/wal"\n  query-log-enabled = false\n'
        f'[http]\n  bind-address = "127.0.0.1:{port}"\n  log-enabled = false\n'
        "[monitor]\n  store-enabled = false\n[continuous_queries]\n  enabled = false\n"
        "[subscriber]\n  enabled = false\n"
    )
    url = f"http://127.0.0.1:{port}"
    with (folder / "influxd.log").open("w") as log:
        server = subprocess.Popen([INFLUXD, "-config", str(config)], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_answers(f"{url}/ping", server, folder / "influxd.log")
        influxql(url, "CREATE DATABASE horde", post=True)
        yield url
    finally:
        stop(server)


def influxql(url: str, query: str, post: bool = False) -> Any:
    parameters = urllib.parse.urlencode({"db": "horde", "q": query})
    request = urllib.request.Request(
        f"{url}/query" if post else f"{url}/query?{parameters}",
        data=parameters.encode() if post else None,
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())["results"][0]


def test_the_points_add_up_to_the_runs_csv(target: Target, tmp_path: Path) -> None:
    (tmp_path / "locustfile.py").write_text(LOCUSTFILE)
    with influxdb(tmp_path) as url:
        run = horde(
            "-f", "locustfile.py", "--headless", "-u", "5", "-r", "50", "-t", "5s", "-H", target.url,
            "--only-summary", "--csv", "run", "--influxdb", f"{url}/horde", "--summary-json", "summary.json",
            cwd=tmp_path,
        )  # fmt: skip
        assert run.code == 1 and "Traceback" not in run.stderr, run.stderr  # 1: the 404s
        sums = influxql(
            url, 'SELECT SUM("count"), SUM("failures"), MAX("p99") FROM horde_requests GROUP BY "name"'
        )
        users = influxql(url, 'SELECT MAX("users") FROM horde_users')
    stored = {series["tags"]["name"]: series["values"][0][1:] for series in sums["series"]}
    rows = stats_rows(tmp_path / "run")
    assert {name: (count, failures) for name, (count, failures, _) in stored.items()} == {
        "browse": (int(rows[("GET", "browse")]["Request Count"]), 0),
        "missing": (
            int(rows[("GET", "missing")]["Request Count"]),
            int(rows[("GET", "missing")]["Failure Count"]),
        ),
    }
    assert stored["browse"][0] > 200 and 0 < stored["browse"][2] < 1000  # ms
    assert users["series"][0]["values"][0][1] == 5
    summary = json.loads((tmp_path / "summary.json").read_text())["outputs"]["influxdb"]
    assert summary["points_dropped"] == 0 and summary["points_written"] >= 10
    assert f"InfluxDB ({url}/horde): {summary['points_written']:,} points written, 0 dropped" in run.stderr


def test_an_influxdb_that_is_down_costs_a_warning_and_the_summary_counts_the_points(
    target: Target, tmp_path: Path
) -> None:
    (tmp_path / "locustfile.py").write_text(LOCUSTFILE.replace("task(3)", "task"))
    down = f"http://127.0.0.1:{free_port()}/horde"  # nothing listens there
    started = time.monotonic()
    run = horde(
        "-f", "locustfile.py", "--headless", "-u", "2", "-r", "50", "-t", "3s", "-H", target.url,
        "--only-summary", "--influxdb", down, "--summary-json", "summary.json", "--exit-code-on-error", "0",
        cwd=tmp_path,
    )  # fmt: skip
    assert run.code == 0 and "Traceback" not in run.stderr, run.stderr
    assert time.monotonic() - started < 3 + 12  # a few seconds at most past the run for the last points
    warnings = [line for line in run.stderr.splitlines() if "WARNING/horde.outputs.influxdb" in line]
    assert "cannot write" in warnings[0] and "retrying, the points are kept" in warnings[0]
    assert len(warnings) == 2  # that one, and the count at the end
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["outputs"]["influxdb"]["points_written"] == 0
    assert summary["outputs"]["influxdb"]["points_dropped"] >= 6
    assert summary["totals"]["requests"] > 100  # the test itself went on
