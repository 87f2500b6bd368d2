"""Value converters for options, shared by the command line, config files and environment variables.

Each raises ``argparse.ArgumentTypeError`` so argparse shows its message as written, and the config
readers can quote it next to the file and line.
"""

from __future__ import annotations

import argparse
import math

from horde.shapes.arrivals import ArrivalPlan, ArrivalRateError
from horde.stats.thresholds import Threshold, ThresholdError
from horde.timespan import parse_timespan

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def threshold_expression(text: str) -> str:
    """A ``--threshold`` expression, checked now so a malformed one stops the run before it starts."""
    try:
        return Threshold.parse(text).expression
    except ThresholdError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def arrival_rate(text: str) -> str:
    """``--arrival-rate``: a rate or stages, checked now (the plan is built when the test starts)."""
    try:
        ArrivalPlan.parse(text)
    except ArrivalRateError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text.strip()


def timespan_seconds(text: str) -> int:
    """``--run-time``/``--stop-timeout``: ``90``, ``90s``, ``1h30m`` -> whole seconds."""
    try:
        return parse_timespan(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def spawn_rate(text: str) -> float:
    """``--spawn-rate``: a finite number above zero (NaN or 0 would stall or never finish the ramp)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid spawn rate {text!r}: expected a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"invalid spawn rate {text!r}: must be a finite number above 0")
    return value


def log_level(text: str) -> str:
    """``--loglevel``: any case in, upper case out, so ``debug`` works as in Locust."""
    level = text.strip().upper()
    if level not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"invalid log level {text!r}: choose from {', '.join(LOG_LEVELS)}")
    return level


def positive_number(text: str) -> float:
    """A finite number above zero (health thresholds: a CPU percentage, a lag in milliseconds)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}: must be a finite number above 0")
    return value


def window_seconds(text: str) -> int:
    """``--health-window``: a timespan of at least one second."""
    seconds = timespan_seconds(text)
    if seconds < 1:
        raise argparse.ArgumentTypeError(f"invalid window {text!r}: must be at least 1s")
    return seconds


def port_number(text: str) -> int:
    """A TCP port, 0 (any free one) to 65535: a larger number must not bind some other port."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: expected a number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: must be 0 to 65535")
    return value


_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2,
               "mib": 1024**2, "g": 1024**3, "gb": 1024**3, "gib": 1024**3}  # fmt: skip


def byte_size(text: str) -> int:
    """``--max-response-body``: bytes, or with a unit (``64MiB``, ``512k``, ``1G``: powers of 1024)."""
    number = text.strip().rstrip("BbIiKkMmGg ")
    unit = text.strip()[len(number) :].strip().lower()
    try:
        value = float(number) * _SIZE_UNITS[unit]
    except (ValueError, KeyError):
        raise argparse.ArgumentTypeError(
            f"invalid size {text!r}: use e.g. 65536, 64KiB, 64MiB, 1GiB"
        ) from None
    if not math.isfinite(value) or value < 1:
        raise argparse.ArgumentTypeError(f"invalid size {text!r}: must be at least 1 byte")
    return int(value)


def whole_number(text: str) -> int:
    """A whole number of at least 1 (a count of header fields, a ratio)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}: expected a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}: must be at least 1")
    return value
