"""The start form (``POST /swarm``): field parsing and validation, apart from the server.

Locust's form fields: ``user_count``, ``spawn_rate``, ``host``, ``run_time`` (a timespan such as
``90s`` or ``1h30m``), ``user_classes`` (repeated, with ``--class-picker``), ``profile``, and the
locustfile's own options by name. Bad input
comes back as one message for the person who typed it, never as a traceback.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from horde.http.urls import host_problem
from horde.shapes.arrivals import ArrivalPlan, ArrivalRateError
from horde.timespan import parse_timespan

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
    custom: dict[str, Any] = field(default_factory=dict)
    arrival_rate: str | None = None
    """The open model's rate or stages (``--arrival-rate``'s forms); the users are then its pool."""
    """Values for the locustfile's own options (``init_command_line_parser``), by option name."""


@dataclass(frozen=True)
class CustomOption:
    """An option a locustfile added: the start form shows it (unless ``in_form`` is False, Locust's
    ``include_in_web_ui=False``) and ``POST /swarm`` may set it, as in Locust."""

    name: str
    label: str
    help: str
    flag: bool
    """True for a switch (``store_true``/``store_false``)."""
    choices: list[str] | None = None
    secret: bool = False
    required: bool = False
    multiple: bool = False
    in_form: bool = True
    convert: Callable[[str], Any] | None = None
    """The option's ``type=``, if it has one."""

    def value(self, current: Any, values: Sequence[str]) -> Any:
        """The option's new value from the form's (Locust's rules: a switch is on when "true", a
        list splits on commas, otherwise the type of the option or of its current value)."""
        text = values[-1]
        listed = self.multiple or isinstance(current, list)
        items = (text.split(",") if len(values) == 1 else list(values)) if listed else [text]
        if self.choices is not None and (wrong := [item for item in items if item not in self.choices]):
            raise SwarmError(f"{self.label}: {wrong[0]!r} is not one of {', '.join(self.choices)}")
        try:
            if self.flag or isinstance(current, bool):
                return text.strip().lower() in ("true", "on", "1")
            if listed:
                kind = self.convert or (type(current[0]) if current else str)
                return [kind(item) for item in items]
            if self.convert is not None:
                return self.convert(text)
            return text if current is None else type(current)(text)
        except (TypeError, ValueError, argparse.ArgumentTypeError) as error:
            raise SwarmError(f"{self.label}: {text!r} is not a valid value ({error})") from None


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
    problem = host_problem(host) if host is not None else None
    if problem is not None:
        raise SwarmError(f"invalid host {host!r}: {problem}")
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
    arrival_rate = (form.get("arrival_rate") or "").strip() or None
    if arrival_rate is not None:
        try:
            ArrivalPlan.parse(arrival_rate)
        except ArrivalRateError as error:
            raise SwarmError(str(error).replace("invalid arrival rate", "arrival_rate", 1)) from None
    return SwarmRequest(
        user_count, spawn_rate, host, run_time, list(user_classes) or None, profile, arrival_rate=arrival_rate
    )


def _number(form: Mapping[str, str], field: str, kind: Callable[[str], N], what: str) -> N | None:
    text = (form.get(field) or "").strip()
    try:
        return kind(text) if text else None
    except ValueError:
        raise SwarmError(f"{field} must be {what}, got {text!r}") from None
