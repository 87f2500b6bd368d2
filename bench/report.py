"""The console table: median requests/s per scenario and its ratio to the reference generator."""

from __future__ import annotations

from generators import REFERENCE_KEY, Scenario
from measure import Measurement, median

_HEADER = (
    "Scenario",
    "req/s",
    "vs Locust Fast",
    "each run",
    "gen CPU",
    "req/CPU-s",
    "vs Locust (CPU)",
    "nginx CPU",
    "tool/nginx count",
    "generator verdict",
)


def print_table(
    scenarios: list[Scenario],
    results: dict[str, list[Measurement]],
    failures: dict[str, str],
    *,
    seconds: float,
    users: int,
) -> None:
    reference = median([m.requests_per_s for m in results.get(REFERENCE_KEY, [])])
    reference_cpu = median([_per_cpu(m) for m in results.get(REFERENCE_KEY, [])])
    rows = [_row(s, results.get(s.key, []), failures.get(s.key), reference, reference_cpu) for s in scenarios]
    widths = [max(len(row[i]) for row in [_HEADER, *rows]) for i in range(len(_HEADER))]
    print()
    print(f"Throughput of one generator core: {users} users, no wait, {seconds:g} s steady window, medians")
    for row in [_HEADER, *rows]:
        print(
            "  ".join(
                cell.rjust(width) if i else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    for scenario in scenarios:
        if scenario.key in failures:
            print(f"{scenario.label} failed: {failures[scenario.key]}")
    print("req/s: nginx stub_status count over the window; tool/nginx count: the tool's own CSV")
    print("Request Count divided by what nginx served during the generator's whole life.")
    print("req/CPU-s: req/s divided by the generator's CPU share: the per-core rate with time the")
    print("generator did not get the CPU (other load, a VM's steal time) taken out.")
    print("generator verdict: Horde's own health verdict (--summary-json) for each run: INVALID when")
    print("it was the bottleneck, as every no-wait scenario is meant to be; VALID for the paced control.")


def _per_cpu(m: Measurement) -> float:
    return m.requests_per_s / m.generator_cpu if m.generator_cpu else 0.0


def _row(
    scenario: Scenario, runs: list[Measurement], failure: str | None, reference: float, reference_cpu: float
) -> tuple[str, ...]:
    if not runs:
        return (scenario.label, "FAILED", "", "", "", "", "", "", "", "")
    per_cpu = median([_per_cpu(m) for m in runs])
    rate = median([m.requests_per_s for m in runs])
    ratio = f"{rate / reference:.2f}x" if reference else "n/a"
    if scenario.key == REFERENCE_KEY:
        ratio += " (ref)"
    counted = [
        m.tool_requests / m.nginx_requests for m in runs if m.tool_requests is not None and m.nginx_requests
    ]
    return (
        scenario.label + (" (some runs failed)" if failure else ""),
        f"{rate:,.0f}",
        ratio,
        " / ".join(f"{m.requests_per_s:,.0f}" for m in runs),
        f"{median([m.generator_cpu for m in runs]):.0%}",
        f"{per_cpu:,.0f}",
        f"{per_cpu / reference_cpu:.2f}x" if reference_cpu else "n/a",
        f"{median([m.nginx_cpu for m in runs]):.0%}",
        f"{median(counted):.4f}" if counted else "no CSV",
        _verdicts(runs),
    )


def _verdicts(runs: list[Measurement]) -> str:
    """Horde's own verdict per run, counted: ``INVALID 5/5``; empty for Locust."""
    verdicts = [m.verdict or "?" for m in runs if m.verdict is not None]
    if not verdicts:
        return ""
    return ", ".join(f"{v} {verdicts.count(v)}/{len(runs)}" for v in sorted(set(verdicts)))
