"""``--otlp-endpoint URL``: the run's metrics over OTLP (HTTP, protobuf), with OpenTelemetry's own
SDK and exporter (the optional extra ``horde[otel]``).

Every :data:`EXPORT_EVERY` seconds, and once at the end:

* ``horde.requests`` and ``horde.request.failures`` (cumulative counters) by ``http.request.method``
  and ``horde.request.name``;
* ``horde.request.duration`` (a gauge, ms) of the requests since the previous export, its ``stat``
  attribute one of ``avg``, ``p50``, ``p95``, ``p99``, ``max`` (from Horde's histograms);
* ``horde.users`` by ``horde.user_class``, ``horde.dropped_iterations``;
* ``horde.generator.cpu`` (percent of one core) and ``horde.generator.loop_lag`` (p99, ms) of the
  last generator-health window.

The numbers are gathered on the loop, once a second, into a snapshot that the SDK's callbacks
read; the export itself (an HTTP POST the SDK makes) runs in a thread, so a slow collector never
holds a user. An export still running when the next is due is skipped and counted; a failed one
costs one warning a minute at most, and the summary says how many exports went and failed.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    MetricExporter,
    MetricExportResult,
    MetricsData,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource

from horde.outputs.deltas import Deltas
from horde.version import __version__

if TYPE_CHECKING:
    from horde.runtime.runner import Runner
    from horde.runtime.ticker import Tick

logger = logging.getLogger("horde.outputs.otel")

EXPORT_EVERY = 5
"""Seconds (ticks) between two exports."""
EXPORT_TIMEOUT = 5.0
WARN_EVERY = 60.0
STATS = ("avg", "p50", "p95", "p99", "max")
SDK_LOGGER = "opentelemetry.exporter.otlp.proto.http.metric_exporter"
"""The exporter's logger: a line per retry of every failed export. Its lines are kept from the log;
the first of a failed export (its cause) is quoted in Horde's warning, at most one a minute."""


class _FirstLine(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.text = ""

    def filter(self, record: logging.LogRecord) -> bool:
        self.text = self.text or record.getMessage()
        return False


@dataclass(frozen=True)
class Snapshot:
    """What the callbacks report: made on the loop, read by the exporting thread."""

    requests: Mapping[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    """(method, name) -> (requests, failures), for the whole test."""
    durations: Mapping[tuple[str, str], Sequence[float]] = field(default_factory=dict)
    """(method, name) -> avg, p50, p95, p99, max (ms) of the requests of the last interval."""
    users: Mapping[str, int] = field(default_factory=dict)
    dropped: int = 0
    cpu: float | None = None
    loop_lag_ms: float | None = None


def _durations(deltas: Deltas, runner: Runner) -> dict[tuple[str, str], list[float]]:
    """avg, p50, p95, p99 and max (ms) of each name's requests since the last export."""
    shown = {}
    for delta in deltas.take(runner.stats):
        if delta.timed > 0 and delta.histogram:
            p50, p95, p99 = (value / 1000 for value in delta.histogram.percentiles([0.5, 0.95, 0.99]))
            average = delta.response_time / delta.timed
            shown[(delta.method, delta.name)] = [average, p50, p95, p99, delta.histogram.max_us / 1000]
    return shown


class OtlpExporter:
    """Exports ``runner``'s metrics to ``endpoint`` (``http(s)://collector:4318/v1/metrics``)."""

    name = "otlp"

    def __init__(self, runner: Runner, endpoint: str) -> None:
        self.runner = runner
        self.endpoint = endpoint
        self.exports = 0
        self.failed = 0
        self.skipped = 0
        self._snapshot = Snapshot()
        self._deltas = Deltas()
        self._ticks = 0
        self._running: asyncio.Future[None] | None = None
        self._warned_at = -WARN_EVERY
        self._reason = _FirstLine()
        exporter = _Counting(self, OTLPMetricExporter(endpoint=endpoint, timeout=EXPORT_TIMEOUT))
        self._reader = PeriodicExportingMetricReader(exporter, export_interval_millis=math.inf)
        resource = Resource.create({"service.name": "horde", "service.version": __version__})
        self._provider = MeterProvider(resource=resource, metric_readers=[self._reader])
        meter = self._provider.get_meter("horde", __version__)
        meter.create_observable_counter("horde.requests", [self._requests], "{request}", "Requests made")
        meter.create_observable_counter(
            "horde.request.failures", [self._failures], "{request}", "Requests that failed"
        )
        meter.create_observable_gauge(
            "horde.request.duration", [self._durations], "ms", "Response times of the last interval"
        )
        meter.create_observable_gauge("horde.users", [self._users], "{user}", "Users running")
        meter.create_observable_counter(
            "horde.dropped_iterations", [self._dropped], "{iteration}", "Arrivals that found no idle user"
        )
        meter.create_observable_gauge("horde.generator.cpu", [self._cpu], "%", "CPU use, 100 = one core")
        meter.create_observable_gauge("horde.generator.loop_lag", [self._lag], "ms", "Event loop lag, p99")

    def start(self) -> None:
        logging.getLogger(SDK_LOGGER).addFilter(self._reason)
        self.runner.ticker.add(self._on_tick)
        logger.info("Exporting metrics over OTLP to %s every %d s", self.endpoint, EXPORT_EVERY)

    def _on_tick(self, tick: Tick) -> None:
        self._ticks += 1
        if self._ticks % EXPORT_EVERY == 0:
            self._export()

    def _export(self) -> asyncio.Future[None] | None:
        if self._running is not None and not self._running.done():
            self.skipped += 1  # its requests' durations go with the next
            return None
        self._snapshot = self._take()
        self._running = asyncio.get_running_loop().run_in_executor(None, self._reader.collect)
        return self._running

    def _take(self) -> Snapshot:
        runner = self.runner
        stats = runner.stats
        requests = {(e.method, e.name): (e.num_requests, e.num_failures) for e in stats.entries.values()}
        windows = runner.health.windows
        return Snapshot(
            requests=requests,
            durations=_durations(self._deltas, runner),
            users=dict(runner.user_classes_count) if runner.state in ("spawning", "running") else {},
            dropped=stats.dropped_iterations,
            cpu=windows[-1].cpu_percent if windows else None,
            loop_lag_ms=windows[-1].loop_lag_p99_ms if windows else None,
        )

    async def close(self) -> None:
        """The last export (the final counts), then the SDK's shutdown."""
        self.runner.ticker.remove(self._on_tick)
        if self._running is not None:
            await self._running
        final = self._export()
        if final is not None:
            await final
        await asyncio.get_running_loop().run_in_executor(None, self._provider.shutdown)
        logging.getLogger(SDK_LOGGER).removeFilter(self._reason)
        if self.failed:
            logger.warning("OTLP to %s: %d exports sent, %d failed", self.endpoint, self.exports, self.failed)

    def summary(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "exports": self.exports,
            "failed": self.failed,
            "skipped": self.skipped,
        }

    def _result(self, ok: bool) -> None:
        """From the exporting thread: one export's outcome."""
        reason, self._reason.text = self._reason.text, ""
        if ok:
            self.exports += 1
            return
        self.failed += 1
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY:
            self._warned_at = now
            logger.warning("OTLP to %s: an export failed%s", self.endpoint, f" ({reason})" if reason else "")

    # The SDK's callbacks (in the exporting thread: they read the snapshot only) ---------------
    def _requests(self, options: CallbackOptions) -> Iterable[Observation]:
        for (method, name), (count, _) in self._snapshot.requests.items():
            yield Observation(count, {"http.request.method": method, "horde.request.name": name})

    def _failures(self, options: CallbackOptions) -> Iterable[Observation]:
        for (method, name), (_, failures) in self._snapshot.requests.items():
            yield Observation(failures, {"http.request.method": method, "horde.request.name": name})

    def _durations(self, options: CallbackOptions) -> Iterable[Observation]:
        for (method, name), values in self._snapshot.durations.items():
            for stat, value in zip(STATS, values, strict=True):
                yield Observation(
                    value, {"http.request.method": method, "horde.request.name": name, "stat": stat}
                )

    def _users(self, options: CallbackOptions) -> Iterable[Observation]:
        for user_class, count in self._snapshot.users.items():
            yield Observation(count, {"horde.user_class": user_class})

    def _dropped(self, options: CallbackOptions) -> Iterable[Observation]:
        yield Observation(self._snapshot.dropped)

    def _cpu(self, options: CallbackOptions) -> Iterable[Observation]:
        if self._snapshot.cpu is not None:
            yield Observation(self._snapshot.cpu)

    def _lag(self, options: CallbackOptions) -> Iterable[Observation]:
        if self._snapshot.loop_lag_ms is not None:
            yield Observation(self._snapshot.loop_lag_ms)


class _Counting(MetricExporter):
    """The OTLP exporter, telling :class:`OtlpExporter` how each export went."""

    def __init__(self, owner: OtlpExporter, inner: OTLPMetricExporter) -> None:
        super().__init__(
            preferred_temporality=inner._preferred_temporality,
            preferred_aggregation=inner._preferred_aggregation,
        )
        self._owner = owner
        self._inner = inner

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        try:
            result = self._inner.export(metrics_data, timeout_millis=timeout_millis, **kwargs)
        except Exception:
            result = MetricExportResult.FAILURE
        self._owner._result(result == MetricExportResult.SUCCESS)
        return result

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return bool(self._inner.force_flush(timeout_millis=timeout_millis))

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        self._inner.shutdown(timeout_millis=timeout_millis, **kwargs)
