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


MEMORY_PER_USER = 16 * 1024
"""Bytes one waiting user holds, its connection included: ``bench/memory.py`` measured 6 to 16 KiB
per user at 10,000 users (bench/README.md); the upper end, so that a refusal is never made on a
guess that is too low."""


def users_beyond_capacity(
    adding: int,
    running: int = 0,
    connections: bool = True,
    available_memory: int | None = None,
    open_files: int | None = None,
) -> str | None:
    """Why this process cannot hold ``adding`` more users beside ``running`` ones, or None.

    Users with connections need an open file each (the soft limit, which Horde raised to the hard
    one at start), and every user needs :data:`MEMORY_PER_USER`. ``available_memory`` and
    ``open_files`` default to this machine's (injectable for tests).
    """
    if adding <= 0:
        return None
    total = running + adding
    if open_files is None:
        open_files = _open_files_limit()
    if connections and open_files >= 0 and total + SPARE_FILES > open_files:
        return (
            f"{total:,} users need about {total + SPARE_FILES:,} open files (a connection each), but "
            f"this process may open only {open_files:,}: raise the hard limit (`ulimit -Hn`, or "
            "LimitNOFILE= in a systemd unit) or run fewer users"
        )
    if available_memory is None:
        import psutil

        available_memory = psutil.virtual_memory().available
    needed = adding * MEMORY_PER_USER
    if needed > available_memory:
        return (
            f"{adding:,} more users need about {needed / 2**30:,.1f} GiB ({MEMORY_PER_USER // 1024} KiB "
            f"each, as bench/memory.py measured), but {available_memory / 2**30:,.1f} GiB is available"
        )
    return None


def _open_files_limit() -> int:
    if sys.platform == "win32":
        return -1
    import resource

    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
