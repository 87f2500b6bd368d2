"""The seed guide's examples, as written, pointed at the demo target with --host."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from e2e_support import Target, horde, locustfile

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("filename", "expected_names"),
    [
        ("seed_first_test.py", {"/auth/login", "/products?q=laptop"}),
        ("seed_fast.py", {"/products?q=laptop"}),
        ("seed_sequential.py", {"/auth/login", "/products", "/cart", "/checkout"}),
        ("seed_thresholds.py", {"/auth/login", "/products?q=laptop", "/auth/logout"}),
    ],
)
def test_seed_example_runs_as_written(target: Target, tmp_path: Path, filename: str, expected_names: set[str]) -> None:
    result = horde(
        "-f", locustfile(filename), "--headless", "-u", "4", "-r", "10", "-t", "3s",
        "--host", target.url, "--csv", str(tmp_path / "seed"), "--only-summary",
    )  # fmt: skip
    assert result.code == 0, result.stdout + result.stderr
    with (tmp_path / "seed_stats.csv").open() as f:
        rows = list(csv.DictReader(f))
    names = {row["Name"] for row in rows}
    assert expected_names <= names
    assert all(row["Failure Count"] == "0" for row in rows)
