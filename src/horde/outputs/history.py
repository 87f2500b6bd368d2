"""The run history: every run recorded in SQLite under ``.horde/`` in the working directory
(``--history-dir``, ``--no-history``), so that ``horde runs`` can list them and tell whether this
release is slower than the last.

A run keeps its options, the locustfile's SHA-256, start and end, totals, its summary JSON, and
for each request name the exact histogram and a series of windows (every second, or every
:data:`WINDOW_S` seconds with more than :data:`FINE_NAMES` names, each window costing a histogram
difference per name: requests, p50, p95, p99; pairs of windows are merged once there are
:data:`MAX_WINDOWS`, so a day-long soak keeps as many as a short run). Only the newest
``--history-keep`` runs are kept.

A history that cannot be read or written (corrupt, locked, a read-only folder) costs a warning
line, never the run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from horde.outputs.compare import Side, Verdicts, compare_sides
from horde.outputs.deltas import Deltas
from horde.stats.histogram import Histogram

if TYPE_CHECKING:
    from horde.runtime.result import RunResult
    from horde.runtime.runner import Runner
    from horde.runtime.ticker import Tick
    from horde.stats.request_stats import RequestStats

logger = logging.getLogger("horde.history")

FILE_NAME = "history.sqlite"
WINDOW_S = 5
FINE_NAMES = 100
MAX_WINDOWS = 720
DEFAULT_KEEP = 100
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started REAL, ended REAL, locustfile TEXT, locustfile_sha256 TEXT, host TEXT,
    users INTEGER, requests INTEGER, failures INTEGER, rps REAL, p95_ms REAL, exit_code INTEGER,
    options TEXT, summary TEXT
);
CREATE TABLE IF NOT EXISTS entries (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    method TEXT NOT NULL, name TEXT NOT NULL, requests INTEGER, failures INTEGER,
    histogram BLOB, windows TEXT,
    PRIMARY KEY (run_id, method, name)
);
"""


class HistoryError(Exception):
    """The history cannot be used; the message says why (for one line)."""


@dataclass(frozen=True)
class RunRow:
    id: int
    started: float
    ended: float | None
    locustfile: str | None
    host: str | None
    users: int | None
    requests: int
    failures: int
    rps: float
    p95_ms: float | None
    exit_code: int | None


class Windows:
    """Each request name's windows while a test runs (a sink of the runner's tick)."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.by_name: dict[tuple[str, str], list[list[float]]] = {}
        self._deltas = Deltas()
        self._last = runner.clock.monotonic()

    def start(self) -> None:
        self.runner.ticker.add(self._on_tick)
        self.runner.environment.events.test_start.add_listener(self._reset)

    def stop(self) -> None:
        self.runner.ticker.remove(self._on_tick)
        self.runner.environment.events.test_start.remove_listener(self._reset)

    def _reset(self, **_: Any) -> None:
        self.by_name = {}
        self._deltas = Deltas()
        self._last = self.runner.clock.monotonic()

    def _on_tick(self, tick: Tick) -> None:
        every = 1 if len(self.runner.stats.entries) <= FINE_NAMES else WINDOW_S
        if tick.monotonic - self._last >= every - 0.5:
            self.take(tick.monotonic)

    def take(self, now: float) -> None:
        """Close the window under way (the last one of a test is partial)."""
        seconds, self._last = now - self._last, now
        for delta in self._deltas.take(self.runner.stats):
            p50, p95, p99 = (v / 1000 for v in delta.histogram.percentiles([0.5, 0.95, 0.99]))
            windows = self.by_name.setdefault((delta.method, delta.name), [])
            windows.append([round(seconds, 3), delta.requests, round(p50, 3), round(p95, 3), round(p99, 3)])
            if len(windows) > MAX_WINDOWS:
                windows[:] = [_merged(windows[i : i + 2]) for i in range(0, len(windows), 2)]


def _merged(pair: list[list[float]]) -> list[float]:
    """Two windows as one: their time and requests added, their percentiles weighted by requests
    (an estimate: the series tells drift from noise, the histograms keep the exact values)."""
    if len(pair) == 1:
        return pair[0]
    (s1, n1, *p1), (s2, n2, *p2) = pair
    total = n1 + n2 or 1
    return [s1 + s2, n1 + n2, *(round((a * n1 + b * n2) / total, 3) for a, b in zip(p1, p2, strict=True))]


class History:
    """The store in ``folder`` (created on first write)."""

    def __init__(self, folder: Path, keep: int = DEFAULT_KEEP) -> None:
        self.folder = folder
        self.path = folder / FILE_NAME
        self.keep = keep

    @contextmanager
    def _connect(self, create: bool = False) -> Iterator[sqlite3.Connection]:
        if not create and not self.path.exists():
            raise HistoryError(f"no run history at {self.path} yet")
        try:
            if create:
                self.folder.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=2.0)) as connection:
                connection.execute("PRAGMA foreign_keys = ON")
                connection.executescript(SCHEMA)
                with connection:
                    yield connection
        except (sqlite3.Error, OSError) as error:
            raise HistoryError(f"run history at {self.path}: {error}") from None

    # Writing ------------------------------------------------------------------------------------
    def record(
        self,
        result: RunResult,
        summary: Mapping[str, Any],
        windows: Windows | None,
        options: Mapping[str, Any],
    ) -> int | None:
        """Add the run (``summary``: its summary JSON); its id, or None (and one warning line) when
        the history cannot take it."""
        try:
            return self._record(result, summary, windows, options)
        except HistoryError as error:
            logger.warning("%s; this run is not recorded", error)
            return None

    def _record(
        self,
        result: RunResult,
        summary: Mapping[str, Any],
        windows: Windows | None,
        options: Mapping[str, Any],
    ) -> int:
        stats = result.stats
        total = stats.total
        info = result.info
        with self._connect(create=True) as db:
            cursor = db.execute(
                "INSERT INTO runs (started, ended, locustfile, locustfile_sha256, host, users, requests, "
                "failures, rps, p95_ms, exit_code, options, summary) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    info.start_epoch, info.end_epoch or time.time(), info.locustfile,
                    _sha256(info.locustfile), info.host, info.users, total.num_requests, total.num_failures,
                    total.total_rps, total.get_response_time_percentile(0.95) if total.num_requests else None,
                    info.exit_code,
                    json.dumps(dict(options), default=str), json.dumps(summary),
                ),
            )  # fmt: skip
            run_id = int(cursor.lastrowid or 0)
            series = windows.by_name if windows is not None else {}
            db.executemany(
                "INSERT INTO entries (run_id, method, name, requests, failures, histogram, windows) "
                "VALUES (?,?,?,?,?,?,?)",
                [
                    (run_id, method, name, entry.num_requests, entry.num_failures,
                     entry.response_times.encode(), json.dumps(series.get((method, name), [])))
                    for (name, method), entry in stats.entries.items()
                    if entry.num_requests or entry.num_failures
                ],
            )  # fmt: skip
            kept = "SELECT id FROM runs ORDER BY id DESC LIMIT ?"
            db.execute(f"DELETE FROM runs WHERE id NOT IN ({kept})", (self.keep,))
        return run_id

    # Reading ------------------------------------------------------------------------------------
    def runs(self) -> list[RunRow]:
        """Newest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, started, ended, locustfile, host, users, requests, failures, rps, p95_ms, "
                "exit_code FROM runs ORDER BY id DESC"
            ).fetchall()
        return [RunRow(*row) for row in rows]

    def resolve(self, which: str, before: int | None = None) -> int:
        """A run's id from ``last``, ``last~N`` (N runs before the last) or an id."""
        ids = [row.id for row in self.runs() if before is None or row.id < before]
        if which == "last" or which.startswith("last~"):
            back = int(which[5:] or 0) if which != "last" else 0
            if back >= len(ids):
                raise HistoryError(f"the run history has no run {which!r} ({len(ids)} recorded)")
            return ids[back]
        try:
            run_id = int(which)
        except ValueError:
            raise HistoryError(f"no run {which!r}: give a run id (horde runs list) or last") from None
        if run_id not in ids:
            raise HistoryError(f"no run {run_id} in the run history (horde runs list)")
        return run_id

    def summary(self, run_id: int) -> dict[str, Any]:
        with self._connect() as db:
            row = db.execute("SELECT summary FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise HistoryError(f"no run {run_id} in the run history")
        data: dict[str, Any] = json.loads(row[0])
        return data

    def compare(self, baseline: int, candidate: int) -> Verdicts:
        """Recorded run ``candidate`` against recorded run ``baseline``, per request name."""
        return compare_sides(
            self.sides(self.resolve(str(baseline))), self.sides(self.resolve(str(candidate)))
        )

    def sides(self, run_id: int) -> dict[tuple[str, str], Side]:
        """Each request name's data, by (method, name)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT method, name, requests, failures, histogram, windows FROM entries WHERE run_id = ?",
                (run_id,),
            ).fetchall()
        return {
            (method, name): Side(requests, failures, Histogram.decode(bytes(blob)), _windows(series))
            for method, name, requests, failures, blob, series in rows
        }


def _windows(text: str) -> list[tuple[float, int, float, float, float]]:
    rows = json.loads(text)
    return [(float(s), int(n), float(p50), float(p95), float(p99)) for s, n, p50, p95, p99 in rows]


def _sha256(path: str | None) -> str | None:
    if not path:
        return None
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def current_sides(stats: RequestStats, windows: Windows | None) -> dict[tuple[str, str], Side]:
    """A run's data as the history keeps it, from its statistics and windows (before recording)."""
    series = windows.by_name if windows is not None else {}
    return {
        (method, name): Side(
            entry.num_requests,
            entry.num_failures,
            entry.response_times,
            [(s, int(n), p50, p95, p99) for s, n, p50, p95, p99 in series.get((method, name), [])],
        )
        for (name, method), entry in stats.entries.items()
        if entry.num_requests or entry.num_failures
    }
