"""Which percentiles are shown where, and the time windows behind "current" values.

Module-level lists, as in Locust, so a locustfile can patch them (``stats.PERCENTILES_TO_REPORT =
[...]``); readers look them up at call time rather than copying them at import.
"""

from __future__ import annotations

from collections.abc import Iterable

from horde.exception import UsageError

PERCENTILES_TO_REPORT: list[float] = [0.50, 0.66, 0.75, 0.80, 0.90, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0]
"""Console percentile table and CSV columns."""

PERCENTILES_TO_STATISTICS: list[float] = [0.95, 0.99]
"""Web UI statistics table and its JSON."""

PERCENTILES_TO_CHART: list[float] = [0.5, 0.95]
"""Web UI response-time chart (at most 6)."""

CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW = 10
"""Seconds covered by "current" rates and percentiles (Locust's name and value)."""


def validate_settings() -> None:
    """Refuse the settings a locustfile may have patched wrongly, in Locust's words."""
    if len(PERCENTILES_TO_CHART) > 6:
        raise UsageError("stats.PERCENTILES_TO_CHART parameter should be a maximum of 6 parameters")
    for name, values in (
        ("PERCENTILES_TO_CHART", PERCENTILES_TO_CHART),
        ("PERCENTILES_TO_STATISTICS", PERCENTILES_TO_STATISTICS),
    ):
        if not all(_is_fraction(value) for value in values):
            raise UsageError(
                f"stats.{name} parameter need to be float and value between. 0 < percentile < 1 Eg 0.95"
            )


def _is_fraction(value: object) -> bool:
    try:
        return 0 < float(value) < 1  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def get_readable_percentiles(percentiles: Iterable[float]) -> list[str]:
    """Column titles for fractions: 0.5 -> "50%", 0.999 -> "99.9%", 1.0 -> "100%"."""
    titles = []
    for fraction in percentiles:
        percent = fraction * 100
        if percent.is_integer():
            titles.append(f"{int(percent)}%")
        else:
            titles.append(f"{round(percent, 6)}%")
    return titles
