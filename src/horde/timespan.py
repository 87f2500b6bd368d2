"""Time spans as Locust writes them on the command line: ``20``, ``20s``, ``3m``, ``1h30m``, ``3h30m10s``.

Used by ``--run-time`` and ``--stop-timeout``. Whole seconds only, like Locust, so a value printed with
:func:`format_timespan` parses back to the same number.
"""

from __future__ import annotations

import re

# Units must appear in this order, each at most once; a bare number means seconds.
_SPAN = re.compile(r"(?:(?P<h>[0-9]+)h)?(?:(?P<m>[0-9]+)m)?(?:(?P<s>[0-9]+)s)?", re.IGNORECASE)
_SECONDS = re.compile(r"[0-9]+")
_HINT = "use e.g. 30s, 5m, 1h30m"


def parse_timespan(text: str) -> int:
    """Return the number of whole seconds in ``text``; raise ``ValueError`` naming the bad input."""
    if not isinstance(text, str):
        raise ValueError(f"invalid timespan {text!r}: {_HINT}")
    cleaned = text.strip()
    if _SECONDS.fullmatch(cleaned):
        return int(cleaned)
    match = _SPAN.fullmatch(cleaned)
    if not cleaned or match is None:
        raise ValueError(f"invalid timespan {text!r}: {_HINT}")
    hours, minutes, seconds = (int(match.group(unit) or 0) for unit in ("h", "m", "s"))
    return hours * 3600 + minutes * 60 + seconds


def format_timespan(seconds: int) -> str:
    """Render seconds the way a user would type them (``5400`` -> ``"1h30m"``, ``0`` -> ``"0s"``)."""
    if seconds < 0:
        raise ValueError(f"a timespan cannot be negative, got {seconds}")
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{value}{unit}" for value, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if value]
    return "".join(parts) or "0s"
