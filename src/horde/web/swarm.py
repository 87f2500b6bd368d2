"""The start form (``POST /swarm``): field parsing and validation, apart from the server.

Locust's form fields: ``user_count``, ``spawn_rate``, ``host``, ``run_time`` (a timespan such as
``90s`` or ``1h30m``), ``user_classes`` (repeated, with ``--class-picker``), ``profile``. Bad input
comes back as one message for the person who typed it, never as a traceback.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from horde.cli.timespan import parse_timespan

N = TypeVar("N", int, float)

MAX_USERS = 10_000_000
"""Far above what one process runs (~100,000), low enough to stay a sane number everywhere."""


class SwarmError(ValueError):
    """A form value the test cannot start with; the message is shown to the user as is."""


@dataclass(frozen=True)
class SwarmRequest:
    user_count: int | None
    spawn_rate: float | None
    host: str | None
    run_time: int | None
    user_classes: list[str] | None
    profile: str | None


def parse_swarm(
    form: Mapping[str, str], user_classes: Sequence[str], available: Sequence[str]
) -> SwarmRequest:
    """Read the form; ``user_classes`` are the values of the repeated field, ``available`` the
    classes the locustfile defines. Missing numbers are None (a shape class sets them)."""
    user_count = _number(form, "user_count", int, "a whole number")
    if user_count is not None and user_count < 0:
        raise SwarmError("user_count cannot be negative")
    if user_count is not None and user_count > MAX_USERS:
        raise SwarmError(
            f"user_count {user_count:,} is more than one process can run (at most {MAX_USERS:,})"
        )
    spawn_rate = _number(form, "spawn_rate", float, "a number")
    if spawn_rate is not None and (spawn_rate <= 0 or not math.isfinite(spawn_rate)):
        raise SwarmError("spawn_rate must be a number above 0")
    host = (form.get("host") or "").strip() or None
    if host is not None and not host.startswith(("http://", "https://")):
        raise SwarmError(f"host must start with http:// or https://, got {host!r}")
    run_time = None
    text = (form.get("run_time") or "").strip()
    if text:
        try:
            run_time = parse_timespan(text)
        except ValueError:
            raise SwarmError(f"run_time {text!r} is not a time span (e.g. 30s, 5m, 1h30m)") from None
        if run_time <= 0:
            raise SwarmError("run_time must be above 0")
    unknown = [name for name in user_classes if name not in available]
    if unknown:
        raise SwarmError(f"unknown user class(es): {', '.join(unknown)}; available: {', '.join(available)}")
    profile = (form.get("profile") or "").strip() or None
    return SwarmRequest(user_count, spawn_rate, host, run_time, list(user_classes) or None, profile)


def _number(form: Mapping[str, str], field: str, kind: Callable[[str], N], what: str) -> N | None:
    text = (form.get(field) or "").strip()
    try:
        return kind(text) if text else None
    except ValueError:
        raise SwarmError(f"{field} must be {what}, got {text!r}") from None
