"""Request statistics: HDR-style histograms, Locust's stats API, and the bounded time series."""

from __future__ import annotations

from horde.stats.aggregate import AggregatedEntry
from horde.stats.entries import StatsEntry
from horde.stats.errors import MAX_ERROR_ROWS, StatsError
from horde.stats.histogram import Histogram
from horde.stats.history import HistoryPoint, StatsHistory
from horde.stats.percentiles import (
    CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW,
    PERCENTILES_TO_CHART,
    PERCENTILES_TO_REPORT,
    PERCENTILES_TO_STATISTICS,
    get_readable_percentiles,
)
from horde.stats.phases import PhaseStats, PhaseTimings
from horde.stats.request_stats import RequestStats

__all__ = [
    "CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW",
    "MAX_ERROR_ROWS",
    "PERCENTILES_TO_CHART",
    "PERCENTILES_TO_REPORT",
    "PERCENTILES_TO_STATISTICS",
    "AggregatedEntry",
    "Histogram",
    "HistoryPoint",
    "PhaseStats",
    "PhaseTimings",
    "RequestStats",
    "StatsEntry",
    "StatsError",
    "StatsHistory",
    "get_readable_percentiles",
]
