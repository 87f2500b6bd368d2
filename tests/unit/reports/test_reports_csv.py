"""--csv files: Locust's exact headers and row rules, from stats built with known samples."""

from __future__ import annotations

import csv
import io

import pytest

from horde.exception import CatchResponseError
from horde.reports.csv_files import (
    CsvWriter,
    exceptions_csv,
    failures_csv,
    failures_rows,
    history_columns,
    history_rows,
    stats_csv,
    stats_rows,
)
from horde.stats import RequestStats

PERCENTILE_FRACTIONS = [0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0]
PERCENTILE_TITLES = ["50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"]
STATS_HEADER = [
    "Type",
    "Name",
    "Request Count",
    "Failure Count",
    "Median Response Time",
    "Average Response Time",
    "Min Response Time",
    "Max Response Time",
    "Average Content Size",
    "Requests/s",
    "Failures/s",
    *PERCENTILE_TITLES,
]
HISTORY_HEADER = [
    "Timestamp",
    "User Count",
    "Type",
    "Name",
    "Requests/s",
    "Failures/s",
    *PERCENTILE_TITLES,
    "Total Request Count",
    "Total Failure Count",
    "Total Median Response Time",
    "Total Average Response Time",
    "Total Min Response Time",
    "Total Max Response Time",
    "Total Average Content Size",
]


ROW_KEYS = [("POST", "/a"), ("GET", "/b"), ("GET", "/idle"), ("", "Aggregated")]


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def known_stats() -> tuple[RequestStats, list[float]]:
    """/b GET: 10 requests of 10..100 ms, one failed; /a POST: 2 requests of 4 ms; /idle: none.
    Stats start at 1000 and the requests are stamped at 1010 by a tick."""
    now = [1_000.0]
    stats = RequestStats(clock=lambda: now[0])
    for i in range(1, 11):
        error = CatchResponseError("bad status") if i == 10 else None
        stats.record("GET", "/b", 10.0 * i, 1000, error)
    stats.record("POST", "/a", 4.0, 10, None)
    stats.record("POST", "/a", 4.0, 30, None)
    stats.get("/idle", "GET")
    now[0] = 1_010.0
    stats.sample_history(1_010.0, 3)
    return stats, now


def test_headers_are_locusts():
    stats, _ = known_stats()
    assert parse(stats_csv(stats))[0] == STATS_HEADER
    assert history_columns() == HISTORY_HEADER
    assert failures_csv(stats).startswith("Method,Name,Error,Occurrences,First Seen,Last Seen\r\n")
    assert parse(exceptions_csv({}))[0] == ["Count", "Message", "Traceback", "Nodes"]


def test_stats_rows_sorted_by_name_with_aggregated_last():
    stats, _ = known_stats()
    rows = stats_rows(stats)
    assert [(row[0], row[1]) for row in rows] == ROW_KEYS
    post_a, get_b, idle, total = rows
    assert post_a[2:11] == [2, 0, 4, 4.0, 4.0, 4.0, 20.0, pytest.approx(0.2), 0.0]
    assert post_a[11:] == [4] * 11
    assert get_b[2:5] == [10, 1, 50]
    assert get_b[5:8] == [55.0, 10.0, 100.0]
    assert get_b[8:11] == [1000.0, pytest.approx(1.0), pytest.approx(0.1)]
    assert get_b[11:] == [50, 70, 80, 80, 90, 100, 100, 100, 100, 100, 100]
    assert idle[2:4] == [0, 0] and idle[11:] == ["N/A"] * 11
    assert total[2:4] == [12, 1] and total[6:8] == [4.0, 100.0]
    assert total[9] == pytest.approx(1.2)  # whole-run rate: 12 requests over 10 s


def test_no_requests_means_na_percentiles_and_zeros():
    stats = RequestStats(clock=lambda: 1.0)
    (total,) = stats_rows(stats)
    assert total[:11] == ["", "Aggregated", 0, 0, 0, 0.0, 0, 0.0, 0.0, 0.0, 0.0]
    assert total[11:] == ["N/A"] * 11


def test_median_column_stays_inside_the_exact_range():
    stats = RequestStats()
    stats.record("GET", "/", 0.4, 0, None)  # rounds to 0 ms, below the exact minimum
    (row, _) = stats_rows(stats)
    assert row[4] == 0.4


def test_default_history_has_only_aggregated_with_whole_run_percentiles():
    stats, _ = known_stats()
    rows = history_rows(stats, user_count=3, now=1_010.7)
    (row,) = rows
    assert row[:6] == [1_010, 3, "", "Aggregated", "1.200000", "0.100000"]
    assert row[6:17] == [round(v) for v in stats.total.get_response_time_percentiles(PERCENTILE_FRACTIONS)]
    assert row[17:19] == [12, 1]
    assert row[19:] == [40, 46.5, 4.0, 100.0, pytest.approx(10040 / 12)]


def test_full_history_adds_entry_rows_with_current_window_percentiles():
    stats, _ = known_stats()
    stats.track_entry_percentiles()  # as CsvWriter does with full history
    for _ in range(20):  # 20 fast requests in the next second: the current window changes
        stats.record("GET", "/b", 1.0, 0, None)
    stats.sample_history(1_011.0, 3)
    rows = history_rows(stats, 3, 1_011.0, full_history=True)
    assert [(row[2], row[3]) for row in rows] == ROW_KEYS
    get_b = rows[1]
    # Current window (stats start to now, 11 s): 30 requests, median of the window, not of the run.
    assert get_b[4] == f"{30 / 11:2f}"
    assert get_b[6] == round(stats.get("/b", "GET").get_current_response_time_percentile(0.5) or 0)
    assert get_b[16] == 100  # 100% in the window
    assert rows[2][6:17] == ["N/A"] * 11
    assert get_b[17] == 30


def test_first_history_row_at_start_is_zeros_and_na():
    stats = RequestStats(clock=lambda: 50.0)
    (row,) = history_rows(stats, 0, 50.0)
    assert row == [50, 0, "", "Aggregated", "0.000000", "0.000000", *["N/A"] * 11, 0, 0, 0, 0.0, 0, 0.0, 0.0]


def test_failures_rows_have_iso_times_and_locust_error_text():
    stats, _ = known_stats()
    (row,) = failures_rows(stats)
    seen = "1970-01-01T00:16:40Z"
    assert row == ["GET", "/b", "CatchResponseError('bad status')", 1, seen, seen]


def test_exceptions_rows_join_nodes():
    row = {"count": 3, "msg": "boom", "traceback": "Traceback ...", "nodes": {"w2", "w1"}}
    text = exceptions_csv({1: row})
    assert parse(text)[1] == ["3", "boom", "Traceback ...", "w1, w2"]


def test_a_tick_appends_history_every_second_and_rewrites_the_rest_every_five(tmp_path):
    stats, _ = known_stats()
    base = stats.num_requests
    seen: list[int] = []  # request count in _stats.csv's Aggregated row after each tick
    with CsvWriter(tmp_path / "run") as writer:
        for second in range(8):
            stats.record("GET", "/c", 1.0, 0, None)
            writer.tick(stats, {}, 3, 2_000.0 + second, 50.0 + second, final=second == 7)
            rows = parse((tmp_path / "run_stats.csv").read_text())
            seen.append(int(rows[-1][2]))
    history = parse((tmp_path / "run_stats_history.csv").read_text())
    assert len(history) == 1 + 8
    # Rewritten at the first tick, 5 s later, and at the final tick; unchanged in between.
    assert seen == [base + 1] * 5 + [base + 6] * 2 + [base + 8]


def test_writer_creates_dirs_rewrites_in_place_and_appends_history(tmp_path):
    prefix = tmp_path / "deep" / "dir" / "run"
    stats, _ = known_stats()
    with CsvWriter(prefix, full_history=False) as writer:
        writer.write_stats(stats)
        writer.append_history(stats, 3, 1_010.0)
        writer.write_failures(stats)
        writer.write_exceptions({})
        stats.record("GET", "/c", 1.0, 0, None)
        writer.write_stats(stats)
        writer.append_history(stats, 4, 1_011.0)
        writer.write_failures(stats)
        writer.write_exceptions({"k": {"count": 1, "msg": "m", "traceback": "t", "nodes": {"local"}}})
    folder = tmp_path / "deep" / "dir"
    names = sorted(path.name for path in folder.iterdir())
    assert names == ["run_exceptions.csv", "run_failures.csv", "run_stats.csv", "run_stats_history.csv"]
    stats_text = (folder / "run_stats.csv").read_text()
    assert parse(stats_text) == parse(stats_csv(stats))  # only the latest rows, no leftovers
    assert (folder / "run_stats.csv").read_bytes().endswith(b"100\r\n")
    history = parse((folder / "run_stats_history.csv").read_text())
    assert history[0] == HISTORY_HEADER
    assert [row[:2] for row in history[1:]] == [["1010", "3"], ["1011", "4"]]
    assert parse((folder / "run_exceptions.csv").read_text())[1:] == [["1", "m", "t", "local"]]
    assert len(parse((folder / "run_failures.csv").read_text())) == 2
