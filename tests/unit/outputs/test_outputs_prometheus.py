"""The Prometheus families, read from a runner's statistics as a scrape reads them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from horde.outputs.prometheus import BUCKETS_S, cumulative_buckets, registry_for
from horde.runtime.health import Thresholds, WindowSample, judge
from horde.stats.histogram import Histogram
from horde.stats.request_stats import RequestStats


def scrape(runner: object) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Each sample's name -> [(labels, value)], parsed back from the exposition text."""
    text = generate_latest(registry_for(runner)).decode()  # type: ignore[arg-type]
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def fake_runner(windows: list) -> SimpleNamespace:  # type: ignore[type-arg]
    stats = RequestStats()
    for ms in (0.5, 3.0, 3.0, 40.0, 2000.0):
        stats.record("GET", "/a", ms, 10, None)
    stats.record("POST", "/b", 7.0, 10, RuntimeError("boom"))
    stats.dropped_iterations = 12
    return SimpleNamespace(
        stats=stats,
        user_classes_count={"Buyer": 3, "Browser": 0},
        health=SimpleNamespace(windows=windows),
    )


def test_requests_failures_and_durations_by_name() -> None:
    samples = scrape(fake_runner([]))
    assert samples["horde_requests_total"] == [
        ({"method": "GET", "name": "/a"}, 5.0),
        ({"method": "POST", "name": "/b"}, 1.0),
    ]
    assert [value for _, value in samples["horde_request_failures_total"]] == [0.0, 1.0]
    buckets = {
        labels["le"]: value
        for labels, value in samples["horde_request_duration_seconds_bucket"]
        if labels["name"] == "/a"
    }
    assert buckets["0.001"] == 1 and buckets["0.0025"] == 1 and buckets["0.005"] == 3
    assert buckets["0.05"] == 4 and buckets["1"] == 4 and buckets["2.5"] == 5 and buckets["+Inf"] == 5
    sums = {labels["name"]: value for labels, value in samples["horde_request_duration_seconds_sum"]}
    assert sums["/a"] == pytest.approx(2.0465)
    assert samples["horde_users"] == [({"user_class": "Browser"}, 0.0), ({"user_class": "Buyer"}, 3.0)]
    assert samples["horde_dropped_iterations_total"] == [({}, 12.0)]
    assert "horde_generator_limited" not in samples  # no health window closed yet
    assert "process_cpu_seconds_total" in samples


def test_the_generator_s_last_health_window() -> None:
    busy = judge(WindowSample(0, 10, 9.7, None), Thresholds(), 1)  # 9.7 CPU-seconds in 10 s
    samples = scrape(fake_runner([busy]))
    assert samples["horde_generator_limited"] == [({}, 1.0)]
    assert samples["horde_generator_cpu_percent"] == [({}, pytest.approx(97.0))]
    assert samples["horde_generator_loop_lag_p99_seconds"] == [({}, busy.loop_lag_p99_ms / 1000)]


def test_every_sample_is_in_the_first_bucket_that_holds_it() -> None:
    histogram = Histogram()
    for seconds in (*BUCKETS_S, 120.0):
        histogram.record_ms(seconds * 1000 * 0.995)  # just under each bound
    buckets = cumulative_buckets(histogram)
    assert [count for _, count in buckets] == [float(n) for n in range(1, len(BUCKETS_S) + 1)] + [16.0]
    assert buckets[-1][0] == "+Inf"
