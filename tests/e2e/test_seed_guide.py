"""The seed guide's examples, as written, pointed at the demo target with --host."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from e2e_support import Target, horde, locustfile

pytestmark = pytest.mark.slow


# The run times leave room for the examples' own waits (between(1, 3) between three steps).
@pytest.mark.parametrize(
    ("filename", "run_time", "expected_names"),
    [
        ("seed_first.py", "3s", {"/auth/login", "/products?q=laptop"}),
        ("seed_fast.py", "2s", {"/products?q=laptop"}),
        ("seed_sequential.py", "8s", {"/auth/login", "/products", "/cart", "/checkout"}),
        # Its /auth/logout is in on_stop: in the console summary, not in the CSV files, as in Locust.
        ("seed_thresholds.py", "2s", {"/auth/login", "/products?q=laptop"}),
    ],
)
def test_seed_example_runs_as_written(
    target: Target, tmp_path: Path, filename: str, run_time: str, expected_names: set[str]
) -> None:
    result = horde(
        "-f", locustfile(filename), "--headless", "-u", "4", "-r", "10", "-t", run_time,
        "--host", target.url, "--csv", str(tmp_path / "seed"), "--only-summary",
    )  # fmt: skip
    assert result.code == 0, result.stdout + result.stderr
    with (tmp_path / "seed_stats.csv").open() as f:
        rows = list(csv.DictReader(f))
    names = {row["Name"] for row in rows}
    assert expected_names <= names
    assert all(row["Failure Count"] == "0" for row in rows)
