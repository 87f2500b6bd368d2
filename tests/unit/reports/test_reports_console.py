"""Console tables: Locust's headings, columns and widths; values from known samples."""

from __future__ import annotations

from horde.exception import CatchResponseError
from horde.reports import console
from horde.stats import RequestStats


def squeeze(line: str) -> str:
    """The cells of a table line, single-spaced."""
    return " ".join(line.split())


def known_stats() -> RequestStats:
    now = [1_000.0]
    stats = RequestStats(clock=lambda: now[0])
    for second in range(10):
        for i in range(10):
            error = CatchResponseError("Got 500") if i == 0 else None
            stats.record("GET", "/items", 10.0 + i, 500, error)
            stats.record("POST", "/login", 0.5, 10, None)
        stats.sample_history(1_001.0 + second, 1)
    now[0] = 1_010.0
    return stats


def test_stats_table_layout_and_values():
    text = console.stats_table(known_stats(), current=True)
    assert text.endswith("\n")  # Locust ends each table with an empty line
    lines = text.splitlines()
    assert squeeze(lines[0]) == "Type Name # reqs # fails | Avg Min Max Med | req/s failures/s"
    assert lines[1] == "|".join("-" * n for n in (8, 76, 7, 13, 7, 7, 7, 7, 8, 11))
    assert squeeze(lines[2]) == "GET /items 100 10(10.00%) | 14 10 19 14 | 10.00 1.00"
    post_row = lines[3].split()
    assert post_row[:4] == ["POST", "/login", "100", "0(0.00%)"]
    assert post_row[5:9] == ["0.50", "0.50", "0.50", "0.50"]  # sub-10 ms values keep two decimals
    assert lines[4] == lines[1]
    assert lines[5].split()[:3] == ["Aggregated", "200", "10(5.00%)"]
    assert lines[5].startswith(" " * 9 + "Aggregated")
    assert all(len(line) == len(lines[0]) for line in lines[1:6])


def test_final_table_uses_whole_run_rates():
    stats = known_stats()
    row = console.stats_table(stats, current=False).splitlines()[2].split()
    assert row[-2:] == ["10.00", "1.00"]  # 100 requests over 10 s
    assert (
        console.stats_row(stats.get("/items", "GET"), current=False)
        == console.stats_table(stats, current=False).splitlines()[2]
    )


def test_name_width_follows_the_argument_and_the_terminal_rule():
    narrow = console.stats_table(known_stats(), name_width=30).splitlines()
    assert narrow[1].split("|")[1] == "-" * 26
    assert console.name_width_for_terminal(200) == 80
    assert console.name_width_for_terminal(120) == 40
    assert console.name_width_for_terminal(60) == 0


def test_percentile_table_keeps_locusts_heading_and_columns():
    lines = console.percentiles_table(known_stats()).splitlines()
    assert lines[0] == "Response time percentiles (approximated)"
    assert squeeze(lines[1]) == "Type Name 50% 66% 75% 80% 90% 95% 98% 99% 99.9% 99.99% 100% # reqs"
    assert lines[2] == "|".join(["-" * 8, "-" * 80, "-" * 8, *["-" * 6] * 11])
    assert squeeze(lines[3]) == "GET /items 14 16 17 17 18 19 19 19 19 19 19 100"
    assert lines[4].split()[2:4] == ["0.50", "0.50"]
    assert lines[5] == lines[2]
    assert lines[6].split()[0] == "Aggregated" and lines[6].split()[-1] == "200"
    assert "within 1 %" in lines[7]


def test_entries_without_timed_samples_are_left_out_of_percentiles():
    stats = RequestStats()
    stats.record("GET", "/async", None, 0, None)
    stats.record("GET", "/timed", 5.0, 0, None)
    text = console.percentiles_table(stats)
    assert "/timed" in text and "/async" not in text


def test_error_report_lists_occurrences_and_unwrapped_messages():
    stats = known_stats()
    stats.record("GET", "/other", 1.0, 0, ConnectionResetError("reset"))
    lines = console.error_report(stats).splitlines()
    assert lines[0] == "Error report"
    assert lines[1].split() == ["#", "occurrences", "Error"]
    assert lines[2] == "-" * 18 + "|" + "-" * 141
    assert lines[3].split() == ["10", "GET", "/items:", "Got", "500"]
    assert lines[4].split()[:3] == ["1", "GET", "/other:"]
    assert lines[5] == lines[2]


def test_final_summary_has_all_parts_and_skips_empty_error_report():
    stats = known_stats()
    text = console.final_summary(stats)
    heading = "Response time percentiles (approximated)"
    assert text.index("Type") < text.index(heading) < text.index("Error report")
    clean = RequestStats()
    clean.record("GET", "/", 1.0, 0, None)
    assert "Error report" not in console.final_summary(clean)


def test_locusts_print_functions_log_each_line_to_the_stats_logger(caplog):
    # Locust's print_stats, print_percentile_stats and print_error_report: one INFO record per
    # line on locust.stats_logger, the same lines as Locust's (no Horde note inside them).
    from horde.compat.locust.stats import print_error_report, print_percentile_stats, print_stats

    stats = known_stats()
    caplog.set_level("INFO", logger="locust.stats_logger")
    print_stats(stats)
    print_percentile_stats(stats)
    print_error_report(stats)
    print_error_report(RequestStats())  # nothing to report: nothing logged
    assert {record.name for record in caplog.records} == {"locust.stats_logger"}
    lines = [record.getMessage() for record in caplog.records]
    table = console.stats_table(stats).split("\n")
    assert lines[: len(table)] == table and table[-1] == ""
    percentiles = lines[len(table) : len(table) + 8]
    assert percentiles[0] == "Response time percentiles (approximated)"
    assert percentiles[-3] == percentiles[2]  # separators around the rows, then Aggregated and ""
    assert percentiles[-2].split()[0] == "Aggregated" and percentiles[-1] == ""
    errors = lines[len(table) + 8 :]
    assert errors[0] == "Error report" and errors[-2] == errors[2] and errors[-1] == ""
    assert len(errors) == 6  # heading, header, separators around the two errors, ""


def test_lost_workers_line_names_each_worker_and_when_it_came_back(monkeypatch):
    from horde.runtime.result import LostWorker

    monkeypatch.setenv("TZ", "UTC")
    import time

    time.tzset()
    try:
        line = console.lost_workers_line([LostWorker("w1", 3_600.0), LostWorker("w2", 3_610.0, 3_625.0)])
    finally:
        monkeypatch.undo()
        time.tzset()
    assert line.startswith(
        "2 workers lost during the test: w1 at 01:00:00, w2 at 01:00:10 (back at 01:00:25) ("
    )
