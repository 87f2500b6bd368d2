"""What one response may be. A response beyond a limit fails its request with
:class:`~horde.http.errors.ResponseTooLarge` (``body over 64 MiB``) and its connection is closed: a
hostile or broken server cannot grow the generator's memory without bound or stall the other
users. The limits are process-wide, set from the command line (``--max-response-*``); each can be
raised.
"""

from __future__ import annotations

KIB = 1024
MIB = 1024 * KIB


class ResponseLimits:
    """The limits, in bytes (``headers``: fields; ``ratio``: decompressed to compressed bytes)."""

    __slots__ = ("body", "cheap_head", "decompressed", "head", "header_line", "headers", "ratio")

    def __init__(
        self,
        header_line: int = 64 * KIB,
        headers: int = 100,
        head: int = 256 * KIB,
        body: int = 64 * MIB,
        decompressed: int = 256 * MIB,
        ratio: int = 200,
    ) -> None:
        self.header_line = header_line
        """One header line (http.client, under Locust's HttpUser, allows 64 KiB too)."""
        self.headers = headers
        """Header fields in one response (http.client's limit too)."""
        self.head = head
        """The status line and all header lines together."""
        self.body = body
        """The body as received (compressed, when it is)."""
        self.decompressed = decompressed
        """The body once gzip, deflate or br is undone."""
        self.ratio = ratio
        """Decompressed over compressed bytes, checked once past 1 MiB: a gzip bomb's is about 1000."""
        self.cheap_head = min(header_line, 4 * headers)
        """A head shorter than this can break neither the line nor the field limit (a field line is
        at least 4 bytes), so it is not looked at: the check costs nothing per ordinary response."""


LIMITS = ResponseLimits()

RATIO_FLOOR = MIB
"""The ratio is judged only past this much decompressed output: a small body may compress well."""


def configure(limits: ResponseLimits) -> None:
    """Make ``limits`` the process's (the command line's ``--max-response-*`` options)."""
    for name in ResponseLimits.__slots__:
        setattr(LIMITS, name, getattr(limits, name))


def head_problem(head: bytes, limits: ResponseLimits) -> str | None:
    """What is wrong with a response head (status line and header lines, CRLF-separated), if any."""
    fields = head.count(b"\r\n")
    if fields > limits.headers:
        return f"more than {limits.headers} header fields ({fields})"
    if len(head) > limits.header_line:
        longest = max(len(line) for line in head.split(b"\r\n"))
        if longest > limits.header_line:
            return f"a header line over {size_text(limits.header_line)} ({size_text(longest)})"
    return None


def size_text(size: int) -> str:
    """``64 MiB``, ``256 KiB``, ``100 bytes``: whole units where they divide evenly."""
    for unit, name in ((1024 * MIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")):
        if size >= unit:
            value = size / unit
            return f"{value:g} {name}" if value == int(value) else f"{value:.1f} {name}"
    return f"{size} bytes"
