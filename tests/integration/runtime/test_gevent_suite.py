"""gevent's own test suite, run on Horde's loop (``GEVENT_LOOP`` picks the loop gevent's hub uses).

These modules are the gevent features locustfiles use: greenlets, pools and groups, locks and
semaphores, timeouts, sleeping, sockets and servers, SSL, monkey patching, signals. Left out, as
they fail on this loop and no locustfile is known to need them: a ``check`` watcher that must not
run while an event notifies its waiters (test__event; here it runs on the loop's next pass), a
1 ms timeout raced against a chain of queue notifications (test__queue's test_multiple_waiters
fails about one run in eight), fork (test__os), and selecting on a file descriptor closed meanwhile
(test__select, which gevent also skips on libuv).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

MODULES = [
    "api",
    "fileobject",
    "greenlet",
    "iwait",
    "joinall",
    "local",
    "lock",
    "monkey",
    "pool",
    "semaphore",
    "server",
    "signal",
    "sleep0",
    "socket",
    "socket_close",
    "socket_timeout",
    "ssl",
    "timeout",
]


@pytest.mark.parametrize("module", MODULES)
def test_gevent_tests_pass_on_horde_loop(module: str) -> None:
    env = {**os.environ, "GEVENT_LOOP": "horde.concurrency.gevent_loop.AsyncioLoop"}
    probe = "import gevent; print(type(gevent.get_hub().loop).__name__)"
    loop = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=30)
    assert loop.stdout.strip() == "AsyncioLoop", loop.stderr  # the suite below really runs on it
    result = subprocess.run(
        [sys.executable, "-m", f"gevent.tests.test__{module}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-4000:]
