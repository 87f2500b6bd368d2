"""The open-files limit: every user holds at least one socket, so 10,000 users need 10,000 files.

The soft limit (often 1,024) may be raised up to the hard limit by any process; Horde does that
at start, as nginx and databases do. Past the hard limit only an administrator can help, so
Horde says so before the run instead of letting connections fail with "Too many open files".
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

logger = logging.getLogger("locust.main")  # Locust's logger name: scripts and filters match it

SPARE_FILES = 100
"""Files besides the users' sockets: the interpreter, logs, CSV files, the web UI's clients."""

Limits = tuple[int, int]


def raise_open_files_limit(
    users: int | None,
    get: Callable[[], Limits] | None = None,
    set_: Callable[[Limits], None] | None = None,
) -> str | None:
    """Raise the soft limit as far as the hard one allows; a warning when ``users`` will not fit.

    ``get``/``set_`` default to ``resource.getrlimit``/``setrlimit`` (injectable for tests).
    Returns None when everything fits (or the platform has no such limit).
    """
    if get is None or set_ is None:
        if sys.platform == "win32":
            return None
        import resource

        def get() -> Limits:
            return resource.getrlimit(resource.RLIMIT_NOFILE)

        def set_(limits: Limits) -> None:
            resource.setrlimit(resource.RLIMIT_NOFILE, limits)

    soft, hard = get()
    unlimited = hard < 0  # RLIM_INFINITY is -1
    if soft >= 0 and (unlimited or soft < hard):
        try:
            set_((hard, hard))
            soft = hard
        except (ValueError, OSError) as error:  # e.g. macOS caps the soft limit below "unlimited"
            logger.debug("could not raise the open-files limit to %s: %s", hard, error)
    needed = (users or 0) + SPARE_FILES
    if soft < 0 or needed <= soft:
        return None
    return (
        f"{users:,} users need about {needed:,} open files, but this process may open only "
        f"{soft:,} (the hard limit); users beyond that will fail to connect. Raise it with "
        f"`ulimit -Hn {needed}` as root, or LimitNOFILE= in a systemd unit."
    )
