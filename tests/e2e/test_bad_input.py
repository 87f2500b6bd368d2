"""Bad input, as a user types it: each is one line on stderr, no traceback, Locust's exit code, and
the test does not start (nothing found only after the whole run)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from e2e_support import horde

pytestmark = pytest.mark.slow

GOOD = """
from locust import HttpUser, constant, task

class Shopper(HttpUser):
    wait_time = constant(1)

    @task
    def browse(self):
        self.client.get("/")
"""
ALL_WEIGHT_ZERO = """
from locust import HttpUser, task

class Shopper(HttpUser):
    weight = 0

    @task
    def browse(self):
        pass
"""
BAD_WAIT_TIME = """
from locust import HttpUser, task

class Shopper(HttpUser):
    wait_time = 5

    @task
    def browse(self):
        pass
"""
INHERITED_WAIT_TIME = """
from locust import HttpUser, task

class Base(HttpUser):
    abstract = True
    wait_time = 5

class Shopper(Base):
    @task
    def browse(self):
        pass
"""
NO_TASKS = """
from locust import HttpUser

class Shopper(HttpUser):
    pass
"""
WITH_SHAPE = (
    GOOD
    + """
from locust import LoadTestShape

class Ramp(LoadTestShape):
    def tick(self):
        return (1, 1) if self.get_run_time() < 5 else None
"""
)
NOT_FOLDER = "{file} is a file, not a folder"
HOST = "http://127.0.0.1:9"  # nothing is asked of it: each case stops before the test

CASES = [
    (GOOD, ["--web-port", "99999"], "argument --web-port/-P: invalid port '99999': must be 0 to 65535", 2),
    (GOOD, ["-H", "http://[::1"], "invalid --host 'http://[::1': Invalid IPv6 URL", 1),
    (GOOD, ["-H", "http://"], "invalid --host 'http://': No host supplied", 1),
    (GOOD, ["-H", "shop.local:8080"], "invalid --host 'shop.local:8080': No scheme supplied.", 1),
    (GOOD, ["--csv", "{file}/out"], "cannot write --csv to {file}/out_stats.csv: " + NOT_FOLDER, 1),
    (GOOD, ["--html", "{file}/r.html"], "cannot write --html to {file}/r.html: " + NOT_FOLDER, 1),
    (GOOD, ["--json-file", "{file}/r"], "cannot write --json-file to {file}/r.json: " + NOT_FOLDER, 1),
    (GOOD, ["--summary-json", "{dir}"], "cannot write --summary-json to {dir}: it is a folder", 1),
    (GOOD, ["--logfile", "{file}/run.log"], "cannot write --logfile to {file}/run.log: " + NOT_FOLDER, 1),
    (GOOD, ["--max-response-body", "64XB"], "argument --max-response-body: invalid size '64XB'", 2),
    (ALL_WEIGHT_ZERO, [], "There are no users with weight > 0 (Shopper)", 1),
    (BAD_WAIT_TIME, [], "Shopper.wait_time must be a function such as between(1, 5)", 1),
    (INHERITED_WAIT_TIME, [], "Shopper.wait_time must be a function such as between(1, 5)", 1),
    (NO_TASKS, [], "No tasks defined on Shopper. Use the @task decorator", 1),
    (GOOD, ["-f", "-"], "-f - (fetch the locustfile from the master) needs --worker", 1),
    (GOOD, ["--arrival-rate", "fast"], "argument --arrival-rate: invalid arrival rate 'fast': use e.g. 5", 2),
    (GOOD, ["--arrival-rate", "1m:x"], "argument --arrival-rate: invalid arrival rate '1m:x': stage '1m:x' "
     "has no rate", 2),
    (GOOD, ["--arrival-rate", "10", "--processes", "2"], "--arrival-rate runs in one process", 1),
    (WITH_SHAPE, ["--arrival-rate", "10"], "--arrival-rate and the shape Ramp both set the load", 1),
    (GOOD, ["--baseline", "last", "--no-history"], "--baseline compares with the run history", 1),
    (GOOD, ["--fail-on-regression"], "--fail-on-regression needs --baseline", 1),
    (GOOD, ["--influxdb", "http://h:8086"], "--influxdb 'http://h:8086': for InfluxDB 1.x the path", 1),
]  # fmt: skip


@pytest.mark.parametrize(("locustfile", "args", "line", "code"), CASES)
def test_bad_input_is_one_line_and_locusts_exit_code(
    tmp_path: Path, locustfile: str, args: list[str], line: str, code: int
) -> None:
    (tmp_path / "locustfile.py").write_text(locustfile)
    a_file = tmp_path / "plain.txt"  # a file where a folder is expected
    a_file.write_text("")
    places = {"file": str(a_file), "dir": str(tmp_path)}
    args = [arg.format(**places) for arg in args]
    started = time.monotonic()
    result = horde("--headless", "-u", "1", "-t", "30s", "-H", HOST, *args, cwd=tmp_path)
    assert time.monotonic() - started < 15  # refused at start, not after the 30 s test
    assert result.code == code, result.stderr
    assert "Traceback" not in result.stderr
    errors = [text for text in result.stderr.splitlines() if "error" in text.lower()]
    assert len(errors) == 1 and errors[0].startswith("horde: error: " + line.format(**places)), result.stderr
