"""Telling a real change from noise: sampling ranges from the histograms, drift from the windows."""

from __future__ import annotations

import random

from horde.outputs.compare import Side, compare_name
from horde.stats.histogram import Histogram


def side(
    median_ms: float,
    requests: int = 2_000,
    failures: int = 0,
    seed: int = 1,
    levels: list[float] | None = None,
) -> Side:
    """Lognormal response times around ``median_ms``, in 20 windows of 5 s; ``levels`` multiplies
    each window's median (a run's slow and fast minutes)."""
    rng = random.Random(seed)
    histogram = Histogram()
    windows = []
    for level in levels or [1.0] * 20:
        window = Histogram()
        for _ in range(requests // 20):
            window.record_ms(median_ms * level * rng.lognormvariate(0, 0.3))
        histogram.merge(window)
        p50, p95, p99 = (v / 1000 for v in window.percentiles([0.5, 0.95, 0.99]))
        windows.append((5.0, requests // 20, p50, p95, p99))
    return Side(requests, failures, histogram, windows)


def outcomes(a: Side | None, b: Side | None) -> dict[str, str]:
    return {verdict.metric: verdict.outcome for verdict in compare_name(a, b)}


def test_two_runs_of_the_same_system_are_the_same() -> None:
    for seed in range(5):
        assert set(outcomes(side(10, seed=seed), side(10, seed=seed + 100)).values()) == {"same"}


def test_a_slower_system_regressed_and_a_faster_one_improved() -> None:
    slower = outcomes(side(10), side(120, seed=2))
    assert slower["p50"] == slower["p95"] == slower["p99"] == "regressed"
    faster = outcomes(side(120), side(10, seed=2))
    assert faster["p50"] == "improved"


def test_a_shift_within_a_run_s_own_drift_is_not_a_regression() -> None:
    """12 % slower, but both runs wander from half to twice their median from window to window:
    the sampling ranges of 2,000 requests are apart, the windows are not."""
    wandering = [2 ** (k / 19 * 2 - 1) for k in range(20)]  # 0.5 to 2, each window its own level
    shuffled = random.Random(7).sample(wandering, len(wandering))
    verdicts = {
        v.metric: v for v in compare_name(side(10, levels=wandering), side(11.2, seed=2, levels=shuffled))
    }
    assert verdicts["p50"].outcome == "same" and "windows overlap" in verdicts["p50"].why
    steady = outcomes(side(10), side(11.2, seed=2))  # the same shift, steady runs
    assert steady["p50"] == "regressed"


def test_small_changes_do_not_count_however_many_requests() -> None:
    verdicts = compare_name(side(10, requests=20_000), side(10.5, requests=20_000, seed=2))
    assert {v.metric: v.outcome for v in verdicts}["p50"] == "same"


def test_the_failure_ratio_is_judged_on_the_counts() -> None:
    assert outcomes(side(10, failures=20), side(10, failures=26, seed=2))["fail_ratio"] == "same"
    assert outcomes(side(10, failures=20), side(10, failures=200, seed=2))["fail_ratio"] == "regressed"


def test_a_name_in_one_run_only_is_missing() -> None:
    assert outcomes(side(10), None) == {"requests": "missing"}
