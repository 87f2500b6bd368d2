"""``--processes N``: fork N worker processes once the locustfile is imported, as Locust does.

Each child is a worker of the master at ``127.0.0.1`` (``--master-port``, or the parent's
``--master-bind-port`` when the parent is that master). Without ``--worker`` the parent becomes the
master and expects the N workers; with it, the parent only waits for its children.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import time

from horde.concurrency import cooperative
from horde.exception import UsageError

logger = logging.getLogger("locust.main")  # Locust's logger name: scripts and filters match it

REAP_WAIT = 10.0  # seconds the master's process waits for its workers to quit before killing them


def fork_workers(options: argparse.Namespace) -> list[int] | int:
    """Fork the workers. In a child: [] (it goes on as a worker). In the parent: the children's
    pids when it goes on as their master, or the exit code once they ended (``--worker``)."""
    count = options.processes
    if count == -1:
        count = os.cpu_count() or 1
    if count < 1:
        raise UsageError(f"--processes must be a number of processes or -1, got {options.processes}")
    parent_is_master = not options.worker
    port = options.master_bind_port if parent_is_master else options.master_port
    children: list[int] = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            cooperative.forked_child()
            options.processes = None
            options.worker, options.master = True, False
            options.master_host, options.master_port = (
                ("127.0.0.1", port) if parent_is_master else (options.master_host, options.master_port)
            )
            options.run_time = None  # the master's to decide
            options.autostart = False
            return []
        children.append(pid)
    logger.info("Started %d worker processes: %s", count, " ".join(map(str, children)))
    if parent_is_master:
        options.master = True
        options.expect_workers = count
        return children
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the children got it too, and stop their way
    waitpid = cooperative.original("os", "waitpid")  # nothing else runs here: block
    return max((_exit_code(waitpid(pid, 0)[1]) for pid in children), default=0)


def reap(children: list[int]) -> None:
    """Wait for the workers (they quit with their master), then kill those that did not."""
    waitpid = cooperative.original("os", "waitpid")
    sleep = cooperative.original("time", "sleep")
    deadline = time.monotonic() + REAP_WAIT
    pending = set(children)
    while pending and time.monotonic() < deadline:
        for pid in list(pending):
            try:
                done, _ = waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # gevent's child watcher reaped it already
                done = pid
            if done:
                pending.discard(pid)
        if pending:
            sleep(0.05)
    for pid in pending:
        logger.warning("Worker process %d did not quit; killing it", pid)
        os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):  # reaped by gevent's watcher meanwhile
            waitpid(pid, 0)


def _exit_code(status: int) -> int:
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1
