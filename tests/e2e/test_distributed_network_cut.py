"""A network cut between a master and one of its workers: the worker runs in a network namespace
this test creates, joined to this one by a veth pair, and its link goes down for 10 s.

The master marks it missing and orders its users from the other worker; the cut-off worker stops
its own users when its master falls silent; when the link returns it gets its share back, and no
user runs twice. The target counts the requests: 10 users paced at 10 requests/s each make about
100 a second, and duplicated users would make 150.

Needs root (``ip netns``); skipped without it, unless HORDE_REQUIRE_NETNS=1 (CI) makes that a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from e2e_support import Target, clean_env, free_port, locustfile, web_run

pytestmark = pytest.mark.slow

RATE = 100.0  # requests/s of 10 users paced at 0.1 s


@dataclass
class Namespace:
    name: str
    inside: str  # the veth end in the namespace
    host_address: str  # this side's address, the master's and the target's
    address: str

    def run(self, *argv: str) -> None:
        subprocess.run(["ip", "netns", "exec", self.name, *argv], check=True, capture_output=True)


@contextmanager
def namespace() -> Iterator[Namespace]:
    pid = os.getpid()
    net = f"10.{200 + pid % 50}.{pid // 50 % 250}"
    ns = Namespace(f"horde-cut-{pid}", f"hc{pid}w", f"{net}.1", f"{net}.2")
    outside = f"hc{pid}h"
    commands = [
        ["ip", "netns", "add", ns.name],
        ["ip", "link", "add", outside, "type", "veth", "peer", "name", ns.inside],
        ["ip", "link", "set", ns.inside, "netns", ns.name],
        ["ip", "addr", "add", f"{ns.host_address}/30", "dev", outside],
        ["ip", "link", "set", outside, "up"],
        ["ip", "netns", "exec", ns.name, "ip", "addr", "add", f"{ns.address}/30", "dev", ns.inside],
        ["ip", "netns", "exec", ns.name, "ip", "link", "set", ns.inside, "up"],
        ["ip", "netns", "exec", ns.name, "ip", "link", "set", "lo", "up"],
    ]
    try:
        for command in commands:
            subprocess.run(command, check=True, capture_output=True)
        yield ns
    finally:
        subprocess.run(["ip", "link", "del", outside], capture_output=True)  # its peer goes with it
        subprocess.run(["ip", "netns", "del", ns.name], capture_output=True)


def netns_available() -> bool:
    if shutil.which("ip") is None or os.geteuid() != 0:
        return False
    probe = f"horde-probe-{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode == 0
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return made


@pytest.fixture
def cut_namespace() -> Iterator[Namespace]:
    if not netns_available():
        if os.environ.get("HORDE_REQUIRE_NETNS"):
            pytest.fail("HORDE_REQUIRE_NETNS is set but network namespaces cannot be made here (root, ip)")
        pytest.skip("needs root and `ip netns` (iproute2)")
    with namespace() as ns:
        yield ns


@contextmanager
def demo_target(host: str) -> Iterator[Target]:
    process = subprocess.Popen(
        [sys.executable, "-m", "horde.demo.server", "--host", host, "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield Target(process.stdout.readline().strip().removeprefix("listening on "))
    finally:
        process.kill()
        process.wait()


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def wait_for(condition: Callable[[], bool], seconds: float, why: Callable[[], str]) -> float:
    """Seconds until ``condition`` held; fails with ``why()`` after ``seconds``."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, why()
        time.sleep(0.1)
    return time.monotonic() - started


def served_rate(target: Target, seconds: float) -> float:
    first = target.counts()["total"]
    time.sleep(seconds)
    return (target.counts()["total"] - first) / seconds


def test_a_worker_cut_off_for_10_s_is_replaced_then_takes_its_share_back_without_duplicates(
    cut_namespace: Namespace, tmp_path: Path
) -> None:
    ns = cut_namespace
    port = free_port()
    args = ("-f", locustfile("paced.py"))
    env = clean_env()
    worker = [sys.executable, "-m", "horde", *args, "--worker", "--master-host", ns.host_address]
    worker += ["--master-port", str(port)]
    logs = {name: tmp_path / f"{name}.log" for name in ("master", "near", "far")}
    started: list[subprocess.Popen[bytes]] = []

    def read(name: str) -> str:
        return logs[name].read_text()

    def everything() -> str:
        return "\n".join(f"--- {name}\n{read(name)}" for name in logs)

    with demo_target(ns.host_address) as target:
        try:
            for name, prefix in (("near", []), ("far", ["ip", "netns", "exec", ns.name])):
                with logs[name].open("w") as sink:
                    started.append(subprocess.Popen([*prefix, *worker], stdout=sink, stderr=sink, env=env))
            with web_run(
                *args, "--master", "--master-bind-host", ns.host_address, "--master-bind-port", str(port),
                "--autostart", "--expect-workers", "2", "-u", "10", "-r", "100", "--host", target.url,
                log=logs["master"],
            ) as (master, url):  # fmt: skip

                def users_and_workers() -> tuple[int, int]:
                    state = get_json(f"{url}api/v1/state")
                    return state["user_count"], get_json(f"{url}worker-count")["worker_count"]

                wait_for(lambda: users_and_workers() == (10, 2), 30, everything)
                time.sleep(2)
                assert served_rate(target, 3) == pytest.approx(RATE, rel=0.15)

                ns.run("ip", "link", "set", ns.inside, "down")
                cut = time.monotonic()
                wait_for(lambda: "failed to send heartbeat" in read("master"), 6, everything)
                wait_for(lambda: users_and_workers() == (10, 1), 5, everything)  # all on the near one
                assert served_rate(target, 3) == pytest.approx(RATE, rel=0.15)
                time.sleep(max(0.0, 10 - (time.monotonic() - cut)))
                ns.run("ip", "link", "set", ns.inside, "up")

                back = wait_for(lambda: users_and_workers() == (10, 2), 20, everything)
                time.sleep(3)  # the far worker's users started again, as many stopped on the near one
                assert users_and_workers() == (10, 2)
                shares = get_json(f"{url}stats/requests")["workers"]  # Locust's keys, per worker
                assert [(w["state"], w["user_count"]) for w in shares] == [("running", 5)] * 2
                assert served_rate(target, 4) == pytest.approx(RATE, rel=0.15)  # 150/s if duplicated
                master.terminate()
                master.wait(timeout=20)
        finally:
            for process in started:
                if process.poll() is None:
                    process.terminate()
            for process in started:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    assert "No word from the master for " in read("far"), everything()  # it stopped its own users
    assert "(back at " in read("master")  # the summary: lost, and when it came back
    print(f"the far worker was back {back:.1f} s after the link returned")
