"""The ``horde`` command on real locustfiles against the demo target, in subprocesses."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterable
from pathlib import Path

import pytest
from e2e_support import Target, horde, locustfile, read_csv

pytestmark = pytest.mark.slow

STATS_HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
    "Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,"
    "99.99%,100%"
)


def by_request(counts: Iterable[tuple[tuple[str, str], int]]) -> dict[str, int]:
    """Counts by "METHOD /path", as the demo target keeps them (query strings left out)."""
    summed: dict[str, int] = {}
    for (method, name), count in counts:
        key = f"{method} {name.split('?')[0]}"
        summed[key] = summed.get(key, 0) + count
    return summed


def test_locustfile_runs_unmodified_and_counts_match_the_server(target: Target, tmp_path: Path) -> None:
    target.reset()
    result = horde(
        "-f", locustfile("shop.py"), "--headless", "-u", "6", "-r", "20", "-t", "3s",
        "--host", target.url, "--csv", str(tmp_path / "run"), "--stop-timeout", "2", "--json",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert f"TEST_START host={target.url}" in result.stdout
    assert "Response time percentiles" in result.stderr  # where Locust prints its tables

    for suffix in ("stats", "stats_history", "failures", "exceptions"):
        assert (tmp_path / f"run_{suffix}.csv").exists()
    assert (tmp_path / "run_stats.csv").read_text().splitlines()[0] == STATS_HEADER
    rows = {(r["Type"], r["Name"]): r for r in read_csv(tmp_path / "run_stats.csv")}
    assert rows[("", "Aggregated")]["Failure Count"] == "0"
    total = sum(int(r["Request Count"]) for (m, _), r in rows.items() if m)
    assert total == int(rows[("", "Aggregated")]["Request Count"])
    assert total > 50

    # With a graceful stop every request finishes, so the final statistics (--json, printed at the
    # very end) equal the server's counts exactly. The CSV files were finished as the test began
    # to stop, as Locust's are: without on_stop's logouts, and without the requests that were then
    # still on their way.
    server = target.counts()["requests"]
    entries = json.loads(result.stdout[result.stdout.index("[\n") :])  # after the locustfile's print
    final = by_request(((e["method"], e["name"]), e["num_requests"]) for e in entries)
    assert final == server
    in_csv = by_request((key, int(row["Request Count"])) for key, row in rows.items() if key[0])
    assert "POST /auth/logout" not in in_csv and server["POST /auth/logout"] == server["POST /auth/login"]
    assert all(in_csv[key] <= server[key] for key in in_csv)


def test_failures_give_exit_code_1_or_the_chosen_one(target: Target, tmp_path: Path) -> None:
    result = horde(
        "-f", locustfile("failing.py"), "--headless", "-u", "2", "-r", "10", "-t", "1s",
        "--host", target.url, "--csv", str(tmp_path / "fail"),
    )  # fmt: skip
    assert result.code == 1, result.stderr
    failures = read_csv(tmp_path / "fail_failures.csv")
    assert failures[0]["Method"] == "GET" and failures[0]["Name"] == "/error"
    assert "500" in failures[0]["Error"] and int(failures[0]["Occurrences"]) > 0
    assert "Error report" in result.stderr

    again = horde(
        "-f", locustfile("failing.py"), "--headless", "-u", "1", "-r", "10", "-t", "1s",
        "--host", target.url, "--exit-code-on-error", "3", "--only-summary",
    )  # fmt: skip
    assert again.code == 3


def test_task_exceptions_are_recorded_and_users_go_on(target: Target, tmp_path: Path) -> None:
    result = horde(
        "-f", locustfile("raising.py"), "--headless", "-u", "2", "-r", "10", "-t", "1s",
        "--host", target.url, "--csv", str(tmp_path / "exc"),
    )  # fmt: skip
    assert result.code == 1
    rows = read_csv(tmp_path / "exc_exceptions.csv")
    assert len(rows) == 1
    assert int(rows[0]["Count"]) > 4  # the users kept running after each exception
    assert "deliberate task failure" in rows[0]["Message"]
    assert "raising.py" in rows[0]["Traceback"]
    assert rows[0]["Nodes"] == "local"


def test_refused_connections_are_failures_and_the_run_goes_on(tmp_path: Path) -> None:
    result = horde(
        "-f", locustfile("failing.py"), "--headless", "-u", "2", "-r", "10", "-t", "1s",
        "--host", "http://127.0.0.1:9", "--csv", str(tmp_path / "refused"),
    )  # fmt: skip
    assert result.code == 1
    assert "Traceback" not in result.stderr
    failures = read_csv(tmp_path / "refused_failures.csv")
    assert int(failures[0]["Occurrences"]) > 2


def test_events_fire_in_order_with_custom_arguments(target: Target) -> None:
    result = horde(
        "-f", locustfile("events_and_args.py"), "--headless", "-u", "2", "-r", "10", "-t", "1s",
        "--host", target.url, "--only-summary",
        env={"LOCUST_GREETING": "hello"},
    )  # fmt: skip
    events = {"INIT", "TEST_START", "SPAWNING_COMPLETE", "TEST_STOPPING", "TEST_STOP", "QUITTING", "QUIT"}
    lines = [line for line in result.stdout.splitlines() if line.split(" ")[0] in events]
    order = [line.split(" ")[0] for line in lines]
    assert order == [
        "INIT",
        "TEST_START",
        "SPAWNING_COMPLETE",
        "TEST_STOPPING",
        "TEST_STOP",
        "QUITTING",
        "QUIT",
    ]
    assert "INIT greeting=hello runner=LocalRunner" in lines
    assert "TEST_START greeting=hello" in lines
    assert "SPAWNING_COMPLETE user_count=2" in lines
    stop_line = next(line for line in lines if line.startswith("TEST_STOP "))
    seen, total = (int(part.split("=")[1]) for part in stop_line.split()[1:])
    assert seen == total > 0
    assert "QUIT exit_code=7" in lines
    assert result.code == 7  # environment.process_exit_code wins


def test_tags_select_tasks_and_positional_class_selection(target: Target, tmp_path: Path) -> None:
    result = horde(
        "-f", locustfile("tagged.py"), "--headless", "-u", "2", "-r", "10", "-t", "1s",
        "--host", target.url, "-T", "search", "--csv", str(tmp_path / "tags"), "Tagged",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    names = {r["Name"] for r in read_csv(tmp_path / "tags_stats.csv")}
    assert names == {"/products?q=tagged", "Aggregated"}


def test_async_and_sync_tasks_in_one_file(target: Target, tmp_path: Path) -> None:
    result = horde(
        "-f", locustfile("async_tasks.py"), "--headless", "-u", "3", "-r", "10", "-t", "2s",
        "--host", target.url, "--csv", str(tmp_path / "mixed"),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    rows = {r["Name"]: r for r in read_csv(tmp_path / "mixed_stats.csv")}
    assert int(rows["/products [async]"]["Request Count"]) > 10
    assert int(rows["/products [sync]"]["Request Count"]) > 10


def test_load_test_shape_drives_the_users(target: Target, tmp_path: Path) -> None:
    result = horde("-f", locustfile("shape.py"), "--headless", "--host", target.url, "--only-summary")
    assert result.code == 0, result.stderr
    spawned = [line for line in result.stdout.splitlines() if line.startswith("SPAWNED")]
    assert spawned == ["SPAWNED 2", "SPAWNED 4"]  # each step of the shape, then its None ends the run
    assert "Shape test stopping" in result.stderr


def test_list_and_task_ratio(target: Target) -> None:
    listed = horde("-f", locustfile("shop.py"), "--list")
    assert listed.code == 0
    assert listed.stdout.split() == ["FastShopper", "Shopper"]

    ratio = horde("-f", locustfile("shop.py"), "--show-task-ratio-json")
    report = json.loads(ratio.stdout)
    assert report["per_class"]["Shopper"]["tasks"]["browse"]["ratio"] == 0.75
    assert report["total"]["FastShopper"]["ratio"] == 0.5


def test_json_output_like_locust(target: Target) -> None:
    result = horde(
        "-f", locustfile("failing.py"), "--headless", "-u", "1", "-r", "10", "-t", "1s",
        "--host", target.url, "--json",
    )  # fmt: skip
    entries = json.loads(result.stdout)  # stdout holds the JSON alone: tables and logs are on stderr
    # Locust's order: the shutdown line, then the final tables.
    assert result.stderr.index("Shutting down (exit code 1)") < result.stderr.index(
        "Response time percentiles"
    )
    assert entries[0]["name"] == "/error" and entries[0]["method"] == "GET"
    assert entries[0]["num_failures"] == entries[0]["num_requests"] > 0
    assert {"response_times", "num_reqs_per_sec", "total_response_time"} <= entries[0].keys()


def test_json_file_goes_where_asked_and_replaces_the_tables(target: Target, tmp_path: Path) -> None:
    result = horde(
        "-f", locustfile("failing.py"), "--headless", "-u", "1", "-r", "10", "-t", "1s",
        "--host", target.url, "--json-file", str(tmp_path / "not" / "yet" / "there"),
    )  # fmt: skip
    assert result.code == 1, result.stderr
    entries = json.loads((tmp_path / "not" / "yet" / "there.json").read_text())  # its folders made, as Locust
    assert entries[0]["name"] == "/error"
    assert "Response time percentiles" not in result.stderr  # Locust prints no summary then


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "missing_file.py", "--headless"], "Could not find 'missing_file.py'"),
        (["-f", locustfile("syntax_error.py"), "--headless"], "syntax_error.py:6"),
        (["-f", locustfile("no_users.py"), "--headless"], "No User class found"),
        (["-f", locustfile("shop.py"), "--headless", "Nobody"], "Unknown User class(es): Nobody"),
        (["-f", locustfile("shop.py"), "--headless", "--spawn-rat", "3"], "--spawn-rate"),
        (["-f", locustfile("shop.py"), "--headless", "-t", "5x"], "5x"),
        (["-f", locustfile("shop.py"), "--headless", "-t", "1s"], "No host"),
        (
            ["-f", locustfile("bad_percentiles.py"), "--autostart"],
            "stats.PERCENTILES_TO_CHART parameter need to be float and value between. 0 < percentile < 1",
        ),
    ],
)
def test_user_mistakes_get_one_clear_line(args: list[str], message: str) -> None:
    result = horde(*args)
    assert result.code != 0
    assert "Traceback" not in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert any(message in line for line in error_lines), result.stderr


def test_a_web_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = horde("-f", locustfile("idle.py"), "--web-port", str(port), timeout=30)
    assert result.code == 1
    assert result.stderr.splitlines()[-1].startswith(
        f"horde: error: cannot serve the web UI on 127.0.0.1:{port}"
    )
    assert "Traceback" not in result.stderr


def test_failing_init_listener_exits_1_before_any_load(target: Target) -> None:
    result = horde("-f", locustfile("init_fails.py"), "--headless", "-t", "5s", "--host", target.url)
    assert result.code == 1
    assert "cannot reach the feature flag service" in result.stderr
    assert "init event listener failed" in result.stderr.splitlines()[-1]


def test_version_and_help_with_the_locustfile_options() -> None:
    version = horde("-V")
    assert version.code == 0 and version.stdout.startswith("horde ") and version.stdout.endswith("\n")
    shown = horde("-f", locustfile("events_and_args.py"), "--help")
    assert shown.code == 0
    assert "--greeting" in shown.stdout and "--spawn-rate" in shown.stdout
    without_file = horde("-f", "absent.py", "--help")
    assert without_file.code == 0 and "--users" in without_file.stdout
