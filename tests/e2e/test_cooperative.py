"""Blocking code and gevent in locustfiles behave as under Locust, with no flag: each blocking call
waits alone while the other users go on (horde.concurrency.cooperative)."""

from __future__ import annotations

import re
import threading
import time
import xmlrpc.server
from collections.abc import Iterator
from pathlib import Path
from socketserver import ThreadingMixIn

import pytest
from e2e_support import Target, horde, locustfile, stats_rows

pytestmark = pytest.mark.slow


def test_time_sleep_in_init_on_start_and_tasks_blocks_only_its_user(target: Target, tmp_path: Path) -> None:
    started = time.monotonic()
    result = horde(
        "-f", locustfile("blocking_sleep.py"), "--headless", "-u", "10", "-r", "100", "-t", "3s",
        "--host", target.url, "--csv", str(tmp_path / "run"),
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert result.code == 0, result.stderr
    # Ten users, each: 50 ms in __init__ (spawning waits for it, as under Locust), 200 ms in
    # on_start, then a request every 500 ms: about 5 requests each in 3 s. A sleep that froze every
    # user would allow 6 in all.
    count = int(stats_rows(tmp_path / "run")[("GET", "/health")]["Request Count"])
    assert 40 <= count <= 70, count
    assert elapsed < 3 + 4, f"the run took {elapsed:.1f} s"  # 3 s, start-up and the last sleep


def test_gevent_greenlets_pools_and_primitives_run_concurrently(target: Target, tmp_path: Path) -> None:
    result = horde(
        "-f", locustfile("greenlets.py"), "--headless", "-u", "3", "-r", "10", "-t", "30s",
        "--host", target.url, "--csv", str(tmp_path / "run"),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert "CHECKER: enough requests, quitting" in result.stdout  # its quit() ended the run early
    rows = stats_rows(tmp_path / "run")
    assert int(rows[("", "Aggregated")]["Request Count"]) < 200  # far from 30 s of load
    # Concurrent greenlets take as long as the slowest one, not the sum.
    for name, floor_ms, ceiling_ms in [
        ("pool 5x200ms", 200, 600),
        ("group 3x200ms", 200, 600),
        ("semaphore 6x100ms by 3", 200, 450),  # one after the other: 600
        ("event set after 50ms", 45, 250),
    ]:
        row = rows[("GEVENT", name)]
        assert int(row["Request Count"]) >= 1, name
        assert floor_ms * 0.95 <= float(row["Min Response Time"]), (name, row)
        assert float(row["Max Response Time"]) < ceiling_ms, (name, row)
    assert int(rows[("GET", "/slow")]["Failure Count"]) == 0


class _XmlRpcServer(ThreadingMixIn, xmlrpc.server.SimpleXMLRPCServer):
    daemon_threads = True


@pytest.fixture
def xmlrpc_url() -> Iterator[str]:
    server = _XmlRpcServer(("127.0.0.1", 0), logRequests=False, allow_none=True)

    def slow(ms: int) -> str:
        time.sleep(ms / 1000)
        return f"slept {ms}"

    server.register_function(slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_blocking_clients_wait_alone(target: Target, xmlrpc_url: str, tmp_path: Path) -> None:
    result = horde(
        "-f", locustfile("blocking_clients.py"), "--headless", "-u", "6", "-r", "100", "-t", "3s",
        "--host", target.url, "--csv", str(tmp_path / "run"), env={"XMLRPC_URL": xmlrpc_url},
    )  # fmt: skip
    assert result.code == 0, result.stderr
    rows = stats_rows(tmp_path / "run")
    # Six users calling 300 ms services back to back for 3 s: about 60 calls. Calls that blocked
    # every user would make 10.
    total = int(rows[("", "Aggregated")]["Request Count"])
    assert 40 <= total <= 66, total
    for kind in ("XMLRPC", "REQUESTS", "SOCKET"):
        row = next(r for (t, _), r in rows.items() if t == kind)
        assert int(row["Request Count"]) >= 3 and row["Failure Count"] == "0", (kind, row)
        assert float(row["Max Response Time"]) < 600, (kind, row)


def test_a_blocking_shape_tick_does_not_stop_the_users(tmp_path: Path) -> None:
    result = horde("-f", locustfile("blocking_shape.py"), "--headless", "--csv", str(tmp_path / "run"))
    assert result.code == 0, result.stderr
    gaps = stats_rows(tmp_path / "run")[("GAP", "between tasks")]
    # Tasks come every 50 ms; the tick's 500 ms sleep must not show between two of them.
    assert int(gaps["Request Count"]) >= 40, gaps
    assert float(gaps["Max Response Time"]) < 300, gaps


def test_code_gevent_cannot_interrupt_is_named_once_and_in_the_verdict(tmp_path: Path) -> None:
    result = horde("-f", locustfile("blocked.py"), "--headless", "-u", "1", "-t", "3s", cwd=tmp_path)
    assert result.code == 0, result.stderr
    # A 300 ms computation every 500 ms: one warning for its place, however often it blocks.
    assert result.stderr.count("WARNING/horde.concurrency.blockwatch: User code blocked") == 1, result.stderr
    assert re.search(r"blocked\.py:1[01] \(in busy_wait\)", result.stderr)  # its loop's two lines
    verdict = next(line for line in result.stderr.splitlines() if line.startswith("Load generator:"))
    assert "INVALID, results limited by user code blocking the event loop" in verdict, verdict
    # The cause comes first (a busy machine may add its cores' figure after it).
    assert verdict.split("first: ")[1].split(" ", 1)[1].startswith("event loop blocked by user code for")


def test_switching_gevent_off_warns_a_locustfile_that_uses_it() -> None:
    path = locustfile("imports_gevent.py")
    off = horde("-f", path, "--headless", "-t", "1s", env={"HORDE_NO_GEVENT": "1"})
    assert off.code == 0, off.stderr
    assert f"{path} uses gevent, but HORDE_NO_GEVENT=1 left the standard library unpatched" in off.stderr
    on = horde("-f", path, "--headless", "-t", "1s")
    assert on.code == 0 and "uses gevent" not in on.stderr
    quiet = horde("-f", locustfile("blocking_sleep.py"), "--headless", "-t", "1s", "--host", "http://127.0.0.1:9",
                  env={"HORDE_NO_GEVENT": "1"})  # fmt: skip
    assert "uses gevent" not in quiet.stderr  # time.sleep alone is not gevent
