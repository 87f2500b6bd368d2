"""Locust as a library, with Horde installed and no real Locust: ``import locust`` works in any
script (horde_locust.pth), patched with gevent as Locust's import patches."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from e2e_support import Target, locustfile, stats_rows

pytestmark = pytest.mark.slow

SCRIPTS = Path(__file__).with_name("scripts")


def python(*args: str, target: Target, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"TARGET": target.url, "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60
    )


def test_locusts_library_example_runs_as_a_script(target: Target, tmp_path: Path) -> None:
    target.reset()
    started = time.monotonic()
    result = python(str(SCRIPTS / "use_as_lib.py"), str(tmp_path / "lib"), target=target, cwd=tmp_path)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    made = int(result.stdout.split("DONE ")[1])
    # The quit stops both users at once (no --stop-timeout): a request each may have been on its way.
    assert made > 10 and made <= target.counts()["requests"]["GET /products"] <= made + 2
    assert elapsed < 10  # spawn_later(3, runner.quit) ended it
    assert "Starting web interface at http://127.0.0.1:" in result.stderr
    assert "/products" in result.stderr  # stats_printer's table
    assert int(stats_rows(tmp_path / "lib")[("GET", "/products")]["Request Count"]) == made


def test_python_locustfile_runs_a_single_user_and_sessions_work_outside_tasks(
    target: Target, tmp_path: Path
) -> None:
    result = python(str(SCRIPTS / "single_user.py"), target=target, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "SETUP 200" in lines and "REQUESTS ok" in lines
    assert sum(line.startswith("GET\t/products") for line in lines) == 3
    assert lines[-1] == "FINISHED"


def test_python_m_locust_is_the_horde_command(target: Target, tmp_path: Path) -> None:
    result = python(
        "-m", "locust", "-f", locustfile("shop.py"), "--headless", "-u", "2", "-t", "1s",
        "--host", target.url, target=target, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "INFO/locust.main: Shutting down (exit code 0)" in result.stderr


def test_python_m_locust_help_names_the_locust_command(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "locust", "--help"], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: locust [options] [UserClass ...]")
    assert "--skip-log-setup      Disable Locust's logging setup." in result.stdout


def test_pytest_style_locustfile_runs_as_users_and_as_tests(target: Target, tmp_path: Path) -> None:
    shutil.copy(locustfile("pytest_style.py"), tmp_path / "test_locustfile.py")
    as_users = python(
        "-m", "horde", "-f", "test_locustfile.py", "--headless", "-u", "2", "-r", "10", "-t", "2s",
        "--host", target.url, "--csv", "run", target=target, cwd=tmp_path,
    )  # fmt: skip
    assert as_users.returncode == 1, as_users.stderr  # the 404s count as failures
    assert '"test_browse": 1, "test_search": 1' in as_users.stderr
    rows = {name: row for (_, name), row in stats_rows(tmp_path / "run").items()}
    assert int(rows["/products"]["Request Count"]) > 10 and rows["/products"]["Failure Count"] == "0"
    assert int(rows["/nothing-here"]["Failure Count"]) > 10
    assert int(rows["/products?q=phone"]["Request Count"]) > 10

    as_tests = python(
        "-m", "pytest", "-p", "no:cacheprovider", "-q", "--host", target.url, "test_locustfile.py",
        target=target, cwd=tmp_path,
    )  # fmt: skip
    assert as_tests.returncode == 0, as_tests.stdout + as_tests.stderr
    assert "2 passed" in as_tests.stdout


def test_users_and_tasksets_driven_from_plain_code_as_in_locusts_tests(
    target: Target, tmp_path: Path
) -> None:
    result = python(str(SCRIPTS / "drive_tasksets.py"), target=target, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # What Locust 2.47 prints for the same script.
    steps = "browse on_start | look | rescheduled | user on_start | shop | user on_stop | before once"
    assert result.stdout.strip() == f"LOG {steps} | interrupted"


def test_run_single_user_takes_the_host_from_locust_host_or_the_command_line(
    target: Target, tmp_path: Path
) -> None:
    def script(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, str(SCRIPTS / "single_user_host.py"), *args]
        return subprocess.run(
            command, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", **env}, timeout=60
        )

    by_variable = script(LOCUST_HOST=target.url)
    assert f"STATUS 200 FROM {target.url}" in by_variable.stdout, by_variable.stderr
    by_flag = script("--host", target.url)
    assert f"STATUS 200 FROM {target.url}" in by_flag.stdout, by_flag.stderr
    wrong = script("--hots", "x")
    assert wrong.returncode != 0 and "single_user_host.py: error: unrecognized arguments" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_run_single_user_ends_when_its_user_is_set_stopping(target: Target, tmp_path: Path) -> None:
    result = python(str(SCRIPTS / "single_user_stopped.py"), target.url, target=target, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split("ENDED ")[1]) > 5


def test_users_started_into_a_gevent_group_stop_as_in_locust(target: Target, tmp_path: Path) -> None:
    result = python(str(SCRIPTS / "users_in_a_group.py"), target=target, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # (in the group, state) after the first task began; (group size, state) just after stop() and
    # 0.2 s later: a graceful stop lets the task finish, a forced one ends it at once.
    assert result.stdout.splitlines() == [
        "GRACEFUL (True, 1) (1, 1) (0, 2)",
        "FORCED (True, 1) (0, 1) (0, 1)",
        "RUNNER 2 [True, True] 0",
    ]
