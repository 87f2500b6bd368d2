"""Where the time of one request went."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, final

from horde.stats.histogram import Histogram


@final
class PhaseTimings:
    """Phase durations of one request, in milliseconds.

    ``connect`` and ``tls`` are None when the request reused a kept-alive connection.
    ``ttfb`` runs from the request being written to the first byte of the response.

    A compiled class (``hatch_build.py``) rather than a named tuple: every response gets one,
    and building a named tuple costs a generic Python call. It unpacks, compares and hashes
    like the tuple ``(connect, tls, ttfb)``, and copies and pickles.
    """

    __slots__ = ("connect", "tls", "ttfb")

    def __init__(self, connect: float | None, tls: float | None, ttfb: float) -> None:
        self.connect = connect
        self.tls = tls
        self.ttfb = ttfb

    def _fields(self) -> tuple[float | None, float | None, float]:
        return (self.connect, self.tls, self.ttfb)

    def __iter__(self) -> Iterator[float | None]:
        return iter(self._fields())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PhaseTimings):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __reduce__(self) -> tuple[type[PhaseTimings], tuple[float | None, float | None, float]]:
        return PhaseTimings, self._fields()  # pickle and copy: a compiled class needs its arguments

    def __repr__(self) -> str:
        return f"PhaseTimings(connect={self.connect!r}, tls={self.tls!r}, ttfb={self.ttfb!r})"


class PhaseStats:
    """Per-entry phase histograms (µs): connect and TLS for new connections, TTFB for all.

    ``RequestStats.record`` fills them; other code reads them or calls :meth:`record`.
    """

    __slots__ = ("connect", "tls", "ttfb")

    def __init__(self) -> None:
        self.connect = Histogram()
        self.tls = Histogram()
        self.ttfb = Histogram()

    @property
    def requests(self) -> int:
        """Samples that came with phase timings."""
        return self.ttfb.count

    @property
    def new_connections(self) -> int:
        return self.connect.count

    @property
    def reused_connections(self) -> int:
        """Samples sent on a kept-alive connection (derived: one less counter per request)."""
        return self.ttfb.count - self.connect.count

    def record(self, timings: PhaseTimings) -> None:
        connect = timings.connect
        if connect is not None:  # else a reused connection: counted as ttfb minus connect samples
            self.record_connection(connect, timings.tls)
        self.ttfb.record_ms(timings.ttfb)

    def record_connection(self, connect: float, tls: float | None) -> None:
        """A request that opened a new connection (ms)."""
        self.connect.record_ms(connect)
        if tls is not None:
            self.tls.record_ms(tls)

    def merge(self, other: PhaseStats) -> None:
        self.connect.merge(other.connect)
        self.tls.merge(other.tls)
        self.ttfb.merge(other.ttfb)

    def copy(self) -> PhaseStats:
        clone = PhaseStats()
        clone.merge(self)
        return clone

    def summary(self, percentiles: tuple[float, ...] = (0.5, 0.95, 0.99)) -> dict[str, Any]:
        """Milliseconds, for reports: ``{"connect": {...} | None, "tls": ..., "ttfb": ...,
        "reused_connections": n, "new_connections": n}``; a phase with no samples is None."""
        result: dict[str, Any] = {}
        for phase in ("connect", "tls", "ttfb"):
            histogram: Histogram = getattr(self, phase)
            result[phase] = histogram_summary_ms(histogram, percentiles) if histogram else None
        result["reused_connections"] = self.reused_connections
        result["new_connections"] = self.new_connections
        return result


def histogram_summary_ms(histogram: Histogram, percentiles: tuple[float, ...]) -> dict[str, Any]:
    """``{"count", "avg", "min", "max", "p50", ...}`` in ms (avg from bucket middles, within 0.4 %)."""
    values = histogram.percentiles(percentiles)
    summary: dict[str, Any] = {
        "count": histogram.count,
        "avg": round(histogram.mean_us() / 1000, 3),
        "min": histogram.min_us / 1000,
        "max": histogram.max_us / 1000,
    }
    for fraction, value in zip(percentiles, values, strict=True):
        summary[f"p{round(fraction * 100, 4):g}"] = value / 1000
    return summary
