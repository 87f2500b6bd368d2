"""The run's live metrics in Prometheus's format: ``--metrics-port`` serves ``/metrics`` during any
run (headless too), and the web UI serves the same at its own ``/metrics``.

Every scrape reads the runner as it is (a master: its workers' merged statistics), through a
``prometheus_client`` collector, on the event loop that owns the statistics: nothing is copied
between scrapes and nothing runs on the per-request path.

Families (each request name's by ``method`` and ``name`` labels):

* ``horde_requests_total``, ``horde_request_failures_total``: counters;
* ``horde_request_duration_seconds``: a histogram, its buckets counted from Horde's own histogram
  of the name (each sample at its bucket's middle, within 0.4 % of its value), ``_sum`` exact;
* ``horde_users{user_class}``: users running (``sum(horde_users)`` is the total);
* ``horde_dropped_iterations_total``: arrivals that found no idle user (``--arrival-rate``);
* ``horde_generator_cpu_percent``, ``horde_generator_loop_lag_p99_seconds`` and
  ``horde_generator_limited`` (0 or 1): the last generator-health window (``--health-window``);
* ``process_cpu_seconds_total``, ``process_resident_memory_bytes`` and the other ``process_*``
  families of ``prometheus_client`` (Linux): this process, at each scrape.

Counters restart from 0 when a new test starts or the statistics are reset; Prometheus's
``rate()`` and ``increase()`` take such resets in their stride.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CollectorRegistry, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from horde.exception import UsageError
from horde.stats.histogram import Histogram, bucket_value

if TYPE_CHECKING:
    from horde.runtime.runner import Runner

logger = logging.getLogger("horde.outputs.prometheus")

BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
"""The ``le`` bounds of ``horde_request_duration_seconds`` (seconds): 1 ms to a minute."""
BUCKETS_US = [bound * 1_000_000 for bound in BUCKETS_S]
LE = [f"{bound:g}" for bound in BUCKETS_S]
LABELS = ["method", "name"]


class RunnerCollector(Collector):
    """The families of the module docstring, read from ``runner`` at each scrape."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    def collect(self) -> Iterator[Metric]:
        runner = self.runner
        stats = runner.stats
        requests = CounterMetricFamily("horde_requests", "Requests made", labels=LABELS)
        failures = CounterMetricFamily("horde_request_failures", "Requests that failed", labels=LABELS)
        durations = HistogramMetricFamily(
            "horde_request_duration_seconds", "Response times, from Horde's histograms", labels=LABELS
        )
        for (name, method), entry in sorted(stats.entries.items()):
            if not entry.num_requests and not entry.num_failures:
                continue
            labels = [method, name]
            requests.add_metric(labels, entry.num_requests)
            failures.add_metric(labels, entry.num_failures)
            seconds = entry.total_response_time / 1000
            durations.add_metric(labels, cumulative_buckets(entry.response_times), seconds)
        users = GaugeMetricFamily("horde_users", "Users running, by class", labels=["user_class"])
        for user_class, count in sorted(runner.user_classes_count.items()):
            users.add_metric([user_class], count)
        dropped = CounterMetricFamily(
            "horde_dropped_iterations", "Arrivals that found no idle user (--arrival-rate)"
        )
        dropped.add_metric([], stats.dropped_iterations)
        yield from (requests, failures, durations, users, dropped)
        yield from _generator(runner)


def _generator(runner: Runner) -> Iterator[Metric]:
    windows = runner.health.windows
    if windows:
        last = windows[-1]
        yield GaugeMetricFamily(
            "horde_generator_cpu_percent",
            "This process's CPU use in the last health window (100 = one core)",
            last.cpu_percent,
        )
        yield GaugeMetricFamily(
            "horde_generator_loop_lag_p99_seconds",
            "The event loop's lag in the last health window (p99)",
            last.loop_lag_p99_ms / 1000,
        )
        yield GaugeMetricFamily(
            "horde_generator_limited",
            "1 when the last health window found the load generator the bottleneck",
            1.0 if last.limited else 0.0,
        )


def cumulative_buckets(histogram: Histogram) -> list[tuple[str, float]]:
    """``[(le, samples at or under it), ..., ("+Inf", all)]`` of a histogram in µs."""
    buckets = []
    position, running = 0, 0
    for index, n in histogram.pairs():  # ascending: one pass, the bounds passed in turn
        value = bucket_value(index)
        while position < len(BUCKETS_US) and value > BUCKETS_US[position]:
            buckets.append((LE[position], float(running)))
            position += 1
        running += n
    buckets += [(LE[rest], float(running)) for rest in range(position, len(BUCKETS_US))]
    buckets.append(("+Inf", float(histogram.count)))
    return buckets


def registry_for(runner: Runner) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RunnerCollector(runner))
    ProcessCollector(registry=registry)
    return registry


def exposition(registry: CollectorRegistry, request: web.Request) -> web.Response:
    """``/metrics``'s answer: everything ``registry`` collects, in the format the scraper asks for
    (``Accept``: Prometheus's text format, or OpenMetrics)."""
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    response = web.Response(body=encode(registry))
    response.headers["Content-Type"] = content_type
    return response


class MetricsServer:
    """``/metrics`` on a port of its own (``--metrics-port``, ``--metrics-host``), on the loop."""

    def __init__(self, runner: Runner, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.registry = registry_for(runner)
        self._site_runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        site_runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await site_runner.setup()
        site = web.TCPSite(site_runner, None if self.host in ("", "*") else self.host, self.port)
        try:
            await site.start()
        except OSError as error:
            await site_runner.cleanup()
            why = os.strerror(error.errno) if error.errno else str(error)
            raise UsageError(f"cannot serve --metrics-port on {self.host}:{self.port}: {why}") from None
        self._site_runner = site_runner
        if self.port == 0:
            self.port = site_runner.addresses[0][1]
        shown = f"[{self.host}]" if ":" in self.host else self.host
        logger.info("Prometheus metrics at http://%s:%d/metrics", shown, self.port)

    async def stop(self) -> None:
        if self._site_runner is not None:
            await self._site_runner.cleanup()
            self._site_runner = None

    async def _metrics(self, request: web.Request) -> web.Response:
        return exposition(self.registry, request)
