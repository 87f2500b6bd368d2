"""The ``timeout=`` argument, in requests' forms."""

from __future__ import annotations

from typing import Any


def split_timeout(timeout: Any) -> tuple[float | None, float | None]:
    """(connect, read) from None, a number (both), or a ``(connect, read)`` pair.

    ``connect`` bounds opening the connection (TCP and TLS); ``read`` bounds the wait from sending
    the request to the end of the response. requests applies its read timeout between bytes; a
    total is what a load test wants to bound, so Horde uses the total.
    """
    if timeout is None:
        return None, None
    if isinstance(timeout, (tuple, list)):
        connect, read = timeout
        return (None if connect is None else float(connect)), (None if read is None else float(read))
    value = float(timeout)
    return value, value
