"""``EntryCounts``: the part of a stats entry that each request updates.

It is a class of its own so that it can be compiled (``hatch_build.py``) together with
``RequestStats.record``, which then updates these fields as C struct members instead of through
Python attribute lookups. :class:`~horde.stats.entries.StatsEntry` adds everything else in Python,
and ``stats.total`` (:class:`~horde.stats.aggregate.AggregatedEntry`) shadows these fields with
computed values. Compiled code reads them directly from the struct, so it must only ever be given
real entries, never the total.
"""

from __future__ import annotations

from mypy_extensions import mypyc_attr

from horde.stats.histogram import Histogram
from horde.stats.phases import PhaseStats


@mypyc_attr(allow_interpreted_subclasses=True)
class EntryCounts:
    """Counts and times of one (name, method); see :class:`~horde.stats.entries.StatsEntry`."""

    num_requests: int
    num_none_requests: int
    num_failures: int
    total_response_time: float
    total_content_length: int
    response_times: Histogram
    phases: PhaseStats | None
    planned: Histogram | None
    """Latency from each request's planned start, in µs (see ``RequestStats.plans``): None until a
    request of an iteration with a planned start was recorded."""

    def _zero_counts(self) -> None:
        self.num_requests = 0
        self.num_none_requests = 0
        self.num_failures = 0
        self.total_response_time = 0.0
        self.total_content_length = 0
        self.response_times = Histogram()
        self.phases = None
        self.planned = None
