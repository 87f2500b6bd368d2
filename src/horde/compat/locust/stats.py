"""``locust.stats``: the statistics classes and Locust's tunable constants.

Horde reads its intervals from ``horde.cli.headless`` and ``horde.runtime.runner``; the constants
here carry Locust's values so that locustfiles reading them keep working.
"""

import sys
import types

from horde.compat.library import (
    StatsCSVFileWriter,
    print_error_report,
    print_percentile_stats,
    print_stats,
    stats_history,
    stats_printer,
)
from horde.reports.console import STATS_NAME_WIDTH, STATS_TYPE_WIDTH
from horde.stats import (
    CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW,
    PERCENTILES_TO_CHART,
    PERCENTILES_TO_REPORT,
    PERCENTILES_TO_STATISTICS,
    RequestStats,
    StatsEntry,
    StatsError,
    get_readable_percentiles,
    percentiles,
)

CONSOLE_STATS_INTERVAL_SEC = 2
HISTORY_STATS_INTERVAL_SEC = 5
CSV_STATS_INTERVAL_SEC = 1
CSV_STATS_FLUSH_INTERVAL_SEC = 5

__all__ = (
    "CONSOLE_STATS_INTERVAL_SEC",
    "CSV_STATS_FLUSH_INTERVAL_SEC",
    "CSV_STATS_INTERVAL_SEC",
    "CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW",
    "HISTORY_STATS_INTERVAL_SEC",
    "PERCENTILES_TO_CHART",
    "PERCENTILES_TO_REPORT",
    "PERCENTILES_TO_STATISTICS",
    "STATS_NAME_WIDTH",
    "STATS_TYPE_WIDTH",
    "RequestStats",
    "StatsCSVFileWriter",
    "StatsEntry",
    "StatsError",
    "get_readable_percentiles",
    "print_error_report",
    "print_percentile_stats",
    "print_stats",
    "stats_history",
    "stats_printer",
)


class _StatsModule(types.ModuleType):
    """Locust's docs tell locustfiles to set ``stats.PERCENTILES_TO_REPORT = [...]`` (and the
    others) on this module: the settings are passed on to the module Horde reads them from."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _SETTINGS:
            setattr(percentiles, name, value)
        super().__setattr__(name, value)


_SETTINGS = frozenset(
    {
        "PERCENTILES_TO_REPORT",
        "PERCENTILES_TO_STATISTICS",
        "PERCENTILES_TO_CHART",
        "CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW",
    }
)
sys.modules[__name__].__class__ = _StatsModule
