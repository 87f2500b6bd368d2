"""gevent's fork and waitpid on Horde's loop: children that end together are all waited for."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
from horde.concurrency import cooperative
cooperative.patch()
import os
pids = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        os._exit(7)
    pids.append(pid)
cooperative.original("time", "sleep")(0.3)  # both have ended before anyone waits
print([os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids], flush=True)
"""


def test_two_children_that_ended_together_are_both_waited_for() -> None:
    # One pass of the loop reaps both; waiting for the second sets a new watcher on a child
    # already reaped, which must still fire (it hung before: --worker --processes 2 at the end).
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[7, 7]"
