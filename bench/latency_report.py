"""The latency-accuracy table: each generator's p50/p99 next to the delay the server was told to
hold, how far off they are (ms and %), and the hold the server really measured."""

from __future__ import annotations

from collections.abc import Callable

from generators import Scenario
from measure import Measurement, median
from report import verdict_counts
from table import print_rows
from workloads import Workload

_HEADER = (
    "delay",
    "generator, source",
    "req/s",
    "gen CPU",
    "server CPU",
    "server hold p50 / p99",
    "p50 ms",
    "p50 error",
    "p99 ms",
    "p99 error",
    "failures",
    "Horde verdict",
)

Results = dict[str, list[Measurement]]  # by Scenario.id


def print_latency_table(
    workloads: list[Workload], scenarios: list[Scenario], results: Results, failures: dict[str, str]
) -> None:
    rows: list[tuple[str, ...]] = []
    for workload in workloads:
        assert workload.delay_ms is not None
        first = True
        for scenario in (s for s in scenarios if s.workload == workload.key):
            runs = [m for m in results.get(scenario.id, []) if m.latency is not None]
            delay = f"{workload.delay_ms} ms" if first else ""
            first = False
            if not runs:
                rows.append((delay, f"{scenario.label}: FAILED", *[""] * (len(_HEADER) - 2)))
                continue
            rows.append(_row(delay, f"{scenario.label}, CSV", workload.delay_ms, runs, _csv))
            if any(m.latency is not None and m.latency.exact_p50_ms is not None for m in runs):
                rows.append(_row("", f"{scenario.label}, summary-json", workload.delay_ms, runs, _exact))
    if not rows:
        return
    users = workloads[0].users
    print()
    print(f"Latency accuracy: {users} users, constant(0), every response held a known delay, medians")
    print_rows([_HEADER, *rows], left_columns=2)
    for scenario in scenarios:
        if scenario.id in failures:
            print(f"{scenario.workload} {scenario.label} failed: {failures[scenario.id]}")
    print("error: reported percentile minus the configured delay. The truth for a client is the delay")
    print("plus the loopback time; 'server hold' is what the server measured between reading a request")
    print("and writing its response (its timers fire up to ~1 ms late). CSV percentiles are whole")
    print("milliseconds in both tools; summary-json is Horde's exact figure (us resolution, within 1%).")


Reading = Callable[[Measurement], tuple[float | None, float | None]]


def _csv(m: Measurement) -> tuple[float | None, float | None]:
    assert m.latency is not None
    return m.latency.csv_p50_ms, m.latency.csv_p99_ms


def _exact(m: Measurement) -> tuple[float | None, float | None]:
    assert m.latency is not None
    return m.latency.exact_p50_ms, m.latency.exact_p99_ms


def _row(delay: str, label: str, delay_ms: int, runs: list[Measurement], reading: Reading) -> tuple[str, ...]:
    p50 = _median_of([reading(m)[0] for m in runs])
    p99 = _median_of([reading(m)[1] for m in runs])
    hold50 = _median_of([m.latency.server.p50_ms for m in runs if m.latency])
    hold99 = _median_of([m.latency.server.p99_ms for m in runs if m.latency])
    failures = sum(m.tool_failures or 0 for m in runs)
    return (
        delay,
        label,
        f"{median([m.requests_per_s for m in runs]):,.0f}",
        f"{median([m.generator_cpu for m in runs]):.0%}",
        f"{median([m.nginx_cpu for m in runs]):.0%}",
        f"{_ms(hold50)} / {_ms(hold99)}",
        _ms(p50),
        _error(p50, delay_ms),
        _ms(p99),
        _error(p99, delay_ms),
        str(failures),
        verdict_counts(runs),
    )


def _median_of(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return median(present) if present else None


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _error(reported: float | None, delay_ms: int) -> str:
    if reported is None:
        return "n/a"
    error = reported - delay_ms
    return f"{error:+.2f} ms ({error / delay_ms:+.1%})"
