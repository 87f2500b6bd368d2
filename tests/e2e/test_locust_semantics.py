"""What Locust does where a locustfile goes wrong or takes an unusual path, Horde does too (each
case checked against Locust 2.47)."""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
from pathlib import Path

import pytest
from e2e_support import Target, horde, locustfile, read_csv, stats_rows, web_run

pytestmark = pytest.mark.slow


def request_counts(prefix: Path) -> dict[str, int]:
    return {name: int(row["Request Count"]) for (kind, name), row in stats_rows(prefix).items() if kind}


def test_a_failing_user_init_is_reported_at_once_and_spawning_goes_on(tmp_path: Path) -> None:
    result = horde(
        "-f", locustfile("init_raises.py"), "--headless", "-u", "4", "-r", "100", "-t", "2s",
        "--csv", str(tmp_path / "run"),
    )  # fmt: skip
    assert result.code == 2, result.stderr  # Locust's code for errors outside tasks
    failure = result.stderr.index("A Broken user could not start: Broken.__init__ raised ValueError")
    assert failure < result.stderr.index("--run-time limit reached")  # at once, not at shutdown
    assert "ValueError: no credentials for this user" in result.stderr  # with its traceback
    assert result.stderr.count("A Broken user could not start") == 2  # half of the 4 users
    assert "INFO/locust.runners: Ramping to 4 users at a rate of 100.00 per second" in result.stderr
    assert 'INFO/locust.runners: All users spawned: {"Broken": 0, "Fine": 2} (2 total users)' in result.stderr
    assert request_counts(tmp_path / "run")["work"] > 10


def test_users_that_stop_do_not_take_the_place_of_other_classes(tmp_path: Path) -> None:
    result = horde(
        "-f", locustfile("stop_user_classes.py"), "--headless", "-u", "2", "-r", "2", "-t", "2s",
        "--csv", str(tmp_path / "run"),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert request_counts(tmp_path / "run") == {"hello1": 1, "hello2": 1}


def test_locust_module_paths_and_rest_checks(target: Target) -> None:
    result = horde(
        "-f", locustfile("locust_imports.py"), "--headless", "-u", "1", "-t", "1s", "--host", target.url
    )
    assert result.code == 0, result.stderr
    assert "REST: Invalid HTTP method ''" in result.stdout


def test_a_shape_ignores_users_spawn_rate_and_run_time_with_locusts_warning(tmp_path: Path) -> None:
    started = time.monotonic()
    result = horde("-f", locustfile("shape_with_users.py"), "--headless", "-u", "50", "-r", "5", "-t", "1s")
    elapsed = time.monotonic() - started
    assert result.code == 0, result.stderr
    assert "--run-time, --users or --spawn-rate have no impact on LoadShapes" in result.stderr
    assert "The following option(s) will be ignored: --users, --spawn-rate, --run-time" in result.stderr
    assert "Run time limit set to" not in result.stderr
    assert elapsed > 3  # the shape's 3 s, not -t 1s
    assert "Shape test starting." in result.stderr
    assert "Shape test updating to 2 users at 10.00 spawn rate" in result.stderr
    assert 'All users spawned: {"Idle": 2} (2 total users)' in result.stderr
    assert "Shape test stopping" in result.stderr


def test_tags_that_match_no_task_stop_the_run_with_exit_code_1() -> None:
    result = horde("-f", locustfile("tagged.py"), "--headless", "-u", "1", "-t", "1s", "-T", "no-such-tag")
    assert result.code == 1
    assert "had no tasks left after filtering, instantiating it will fail!" in result.stderr  # Locust's
    assert "No tasks defined on Tagged, Other after filtering by tags (-T no-such-tag)" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_same_class_name_in_two_locustfiles_is_an_error(tmp_path: Path) -> None:
    for name in ("a.py", "b.py"):
        shutil.copy(locustfile("stop_user_classes.py"), tmp_path / name)
    result = horde("-f", f"{tmp_path / 'a.py'},{tmp_path / 'b.py'}", "--headless", "-t", "1s")
    assert result.code == 1
    assert f"Duplicate user class names: User1 is defined in both {tmp_path / 'a.py'} and" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_web_ui_starts_without_a_host_and_takes_it_from_the_form(target: Target, tmp_path: Path) -> None:
    with web_run("-f", locustfile("shop.py"), log=tmp_path / "log.txt") as (process, url):
        refused = post_form(f"{url}swarm", "user_count=1&spawn_rate=10")
        assert refused["success"] is False and "No host for Shopper, FastShopper" in refused["message"]
        target.reset()
        started = post_form(f"{url}swarm", f"user_count=2&spawn_rate=20&host={target.url}")
        assert started["success"] is True and started["host"] == target.url
        deadline = time.monotonic() + 10
        while not sum(target.counts()["requests"].values()):
            assert time.monotonic() < deadline, (tmp_path / "log.txt").read_text()
            time.sleep(0.2)
        process.terminate()
        assert process.wait(timeout=15) == 0, (tmp_path / "log.txt").read_text()


def post_form(url: str, body: str) -> dict[str, object]:
    request = urllib.request.Request(url, data=body.encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def test_a_second_session_built_in_init_reports_to_the_users_hook(target: Target, tmp_path: Path) -> None:
    result = horde(
        "-f", locustfile("multiple_hosts.py"), "--headless", "-u", "2", "-r", "10", "-t", "2s",
        "--host", target.url, "--csv", str(tmp_path / "run"), env={"API_HOST": target.url},
    )  # fmt: skip
    assert result.code == 0, result.stderr
    counts = request_counts(tmp_path / "run")
    assert counts["/health"] > 10 and counts["api /products"] > 10


def test_a_class_without_tasks_fails_at_each_turn_as_in_locust(target: Target, tmp_path: Path) -> None:
    result = horde(
        "-f", locustfile("no_tasks_base.py"), "--headless", "-u", "2", "-r", "10", "-t", "2s",
        "--host", target.url, "--csv", str(tmp_path / "run"),
    )  # fmt: skip
    assert result.code == 1, result.stderr  # its errors are the users' exceptions, as Locust counts them
    assert "Forwarded had no tasks left after filtering, instantiating it will fail!" in result.stderr
    assert 'All users spawned: {"Forwarded": 1, "Website": 1} (2 total users)' in result.stderr
    assert "crashed" not in result.stderr  # the user goes on, failing at each turn
    rows = read_csv(tmp_path / "run_exceptions.csv")
    assert len(rows) == 1 and "No tasks defined on Forwarded" in rows[0]["Message"]
    assert int(rows[0]["Count"]) >= 5  # every 0.2 s for 2 s
    assert request_counts(tmp_path / "run")["/health"] > 10


def test_a_greenlet_linked_to_locusts_exception_logger_that_dies_makes_the_exit_code_2() -> None:
    result = horde("-f", locustfile("greenlet_crash.py"), "--headless", "-t", "1s", "--only-summary")
    assert result.code == 2, result.stderr
    assert "CRITICAL/checker: Unhandled exception in greenlet: <Greenlet" in result.stderr
    assert "ValueError: Boom" in result.stderr


def test_an_execute_task_override_calling_super_wraps_each_task() -> None:
    result = horde(
        "-f", locustfile("execute_task_override.py"), "--headless", "-u", "2", "-t", "2s", "--only-summary"
    )
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    wrapped, shortest = result.stdout.split("WRAPPED ")[1].split(" MIN ")
    assert int(wrapped) >= 5  # Locust 2.47 wraps 17 in this run
    # super().execute_task returned after the task's 100 ms sleep (the loop's timers are ms-grained)
    assert float(shortest) >= 0.09
