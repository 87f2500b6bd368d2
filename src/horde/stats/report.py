"""What one process's statistics send to another (a worker to its master): the requests, failures
and errors since the previous report, as a :class:`StatsReport`, in one of two codecs.

* Locust's (:func:`to_locust`): the ``stats``, ``stats_total`` and ``errors`` keys of Locust
  2.47's ``stats`` message, its entries as ``StatsEntry.serialize()`` writes them. A Locust master
  reads it; its response times are rounded to Locust's buckets on the way.
* Horde's (:func:`to_horde`), between Horde peers: Locust's shape, with each entry's histogram in
  its compact form (:meth:`~horde.stats.histogram.Histogram.encode`) under one extra key instead
  of Locust's ``response_times`` dicts: about 2 KB rather than 17 KB for 1,300 buckets. A Horde
  master merges them exactly, so its percentiles are those of one process that saw every
  sample.

:func:`from_wire` reads either. Values are plain dicts, lists, numbers, strings and bytes: what
msgpack carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from horde.stats.entries import StatsEntry
from horde.stats.errors import StatsError
from horde.stats.histogram import Histogram

if TYPE_CHECKING:
    from horde.stats.request_stats import RequestStats

HORDE_KEY = "horde_histograms"
"""The extra key of Horde's codec: ``[entry.response_times.encode(), ...]`` in the order of
``stats``."""
PLANNED_KEY = "horde_planned"
"""Horde's codec, when an entry has latency from the planned start (paced users): each entry's
``planned.encode()`` or None, in the order of ``stats``."""


@dataclass
class StatsReport:
    entries: list[StatsEntry]
    """Detached entries (``stats`` None) holding what happened since the previous report."""
    errors: dict[str, StatsError]

    @classmethod
    def take(cls, stats: RequestStats) -> StatsReport:
        """The data since the previous take; ``stats`` is emptied of it (Locust's
        ``get_stripped_report``: each report is a delta, and a master adds them up)."""
        entries = []
        for entry in stats.entries.values():
            if entry.num_requests or entry.num_failures:
                detached = StatsEntry(None, entry.name, entry.method)
                detached.extend(entry)  # exact: histograms merge losslessly
                entries.append(detached)
                entry.reset()
        errors = dict(stats.errors)
        stats.errors = {}
        return cls(entries, errors)

    def merge_into(self, stats: RequestStats) -> None:
        """Add this report to ``stats`` (the Aggregated row follows its entries)."""
        for entry in self.entries:
            stats.get(entry.name, entry.method).extend(entry)
        stats.merge_errors({key: error.to_dict() for key, error in self.errors.items()})

    def total(self) -> StatsEntry:
        """Locust's ``stats_total``: every entry folded into one Aggregated entry."""
        total = StatsEntry(None, "Aggregated", "")
        for entry in self.entries:
            total.extend(entry)
        return total


def to_locust(report: StatsReport, response_times: bool = True) -> dict[str, Any]:
    return {
        "stats": [entry.serialize(response_times) for entry in report.entries],
        "stats_total": report.total().serialize(response_times),
        "errors": {key: error.to_dict() for key, error in report.errors.items()},
    }


def to_horde(report: StatsReport) -> dict[str, Any]:
    data = to_locust(report, response_times=False)
    data[HORDE_KEY] = [entry.response_times.encode() for entry in report.entries]
    if any(entry.planned for entry in report.entries):
        data[PLANNED_KEY] = [entry.planned.encode() if entry.planned else None for entry in report.entries]
    return data


def from_wire(data: dict[str, Any]) -> StatsReport:
    """A report in either codec (Horde's exact histograms when present). Raises ``ValueError``,
    ``KeyError`` or ``TypeError`` on a malformed one."""
    entries = [StatsEntry.unserialize(item) for item in data.get("stats") or []]
    exact = data.get(HORDE_KEY)
    if exact is not None:
        if len(exact) != len(entries):
            raise ValueError(f"{len(exact)} histograms for {len(entries)} entries")
        for entry, encoded in zip(entries, exact, strict=True):
            entry.response_times = Histogram.decode(bytes(encoded))
    planned = data.get(PLANNED_KEY)
    if planned is not None:
        if len(planned) != len(entries):
            raise ValueError(f"{len(planned)} planned histograms for {len(entries)} entries")
        for entry, encoded in zip(entries, planned, strict=True):
            entry.planned = Histogram.decode(bytes(encoded)) if encoded is not None else None
    errors = {key: StatsError.unserialize(row) for key, row in (data.get("errors") or {}).items()}
    return StatsReport(entries, errors)
