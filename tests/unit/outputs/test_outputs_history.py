"""The run history's store: a locked or corrupt file costs a warning, never the run; old runs go."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from horde.outputs.history import History, HistoryError
from horde.runtime.environment import Environment
from horde.runtime.events import Events
from horde.runtime.result import RunResult


def a_run(requests: int = 10) -> RunResult:
    environment = Environment(user_classes=[], events=Events())
    runner = environment.create_local_runner()
    for _ in range(requests):
        runner.stats.record("GET", "/", 5.0, 10, None)
    return runner.result(0)


def test_runs_are_kept_newest_first_and_pruned(tmp_path: Path) -> None:
    history = History(tmp_path, keep=2)
    ids = [history.record(a_run(n), {"n": n}, None, {"token": "(hidden)"}) for n in (1, 2, 3)]
    assert ids == [1, 2, 3]
    assert [(row.id, row.requests) for row in history.runs()] == [(3, 3), (2, 2)]
    assert history.summary(3) == {"n": 3}
    assert history.resolve("last") == 3 and history.resolve("last~1") == 2
    with pytest.raises(HistoryError, match="no run 1 in the run history"):
        history.resolve("1")  # pruned
    sides = history.sides(3)
    assert sides[("GET", "/")].requests == 3 and sides[("GET", "/")].histogram.count == 3


def test_a_locked_history_costs_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    history = History(tmp_path)
    history.record(a_run(), {}, None, {})
    holder = sqlite3.connect(history.path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.WARNING, logger="horde.history"):
            assert history.record(a_run(), {}, None, {}) is None
        assert f"run history at {history.path}: database is locked; this run is not recorded" in caplog.text
        with pytest.raises(HistoryError, match="database is locked"):
            history.runs()
    finally:
        holder.rollback()
        holder.close()


def test_a_corrupt_history_costs_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "history.sqlite").write_bytes(b"not a database" * 100)
    with caplog.at_level(logging.WARNING, logger="horde.history"):
        assert History(tmp_path).record(a_run(), {}, None, {}) is None
    assert "file is not a database; this run is not recorded" in caplog.text
