"""``locust.runners``: the runner base and the local runner; distributed runners arrive with
distributed mode.

``MasterRunner`` and ``WorkerRunner`` exist so that ``isinstance(environment.runner, MasterRunner)``
checks in locustfiles keep working (they are simply never true in a local run).
"""

from horde.runtime.runner import (
    STATE_CLEANUP,
    STATE_INIT,
    STATE_MISSING,
    STATE_RUNNING,
    STATE_SPAWNING,
    STATE_STOPPED,
    STATE_STOPPING,
    LocalRunner,
    Runner,
)


class DistributedRunner:
    """Placeholder type for ``isinstance`` checks; distributed mode is not available yet."""


class MasterRunner(DistributedRunner):
    """Placeholder type for ``isinstance`` checks; distributed mode is not available yet."""


class WorkerRunner(DistributedRunner):
    """Placeholder type for ``isinstance`` checks; distributed mode is not available yet."""


__all__ = (
    "STATE_CLEANUP",
    "STATE_INIT",
    "STATE_MISSING",
    "STATE_RUNNING",
    "STATE_SPAWNING",
    "STATE_STOPPED",
    "STATE_STOPPING",
    "DistributedRunner",
    "LocalRunner",
    "MasterRunner",
    "Runner",
    "WorkerRunner",
)
